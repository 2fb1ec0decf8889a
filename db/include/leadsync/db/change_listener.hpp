#pragma once
// ChangeListener: LISTEN on the capture triggers' channel (kNotifyChannel) on a dedicated PostgreSQL
// connection, so the daemon wakes within a second of a local write. Meant for an event loop: wait until
// socket() is readable, then call poll(), which consumes what arrived without blocking and returns how
// many notifications named this listener's scope (payload = scope; other scopes share the channel).
// A notification is only a hint: the changes themselves wait in leadsync.changes, so a notification lost
// while the connection was down loses nothing (the caller pushes after every reconnect).
//
// Errors: connect() throws a transient core::Error when PostgreSQL cannot be reached; poll() throws a
// transient core::Error when the connection broke (the listener is then disconnected; call connect()
// again). Messages never contain the DSN.
// Thread-safety: not thread-safe; one caller at a time. connect() blocks (opening a connection), poll()
// and disconnect() do not wait for the network.
#include <cstddef>
#include <memory>
#include <string>

namespace leadsync::db {

class ChangeListener {
 public:
  // inbox: also LISTEN on the webhook inbox's channel (kInboxChannel): stored events count like local
  // changes, since the cycle they wake applies both.
  ChangeListener(std::string dsn, std::string scope, bool inbox = false);
  ~ChangeListener();
  ChangeListener(const ChangeListener&) = delete;
  ChangeListener& operator=(const ChangeListener&) = delete;

  // (Re)opens the connection and LISTENs. Notifications pending on the old connection are dropped.
  void connect();
  bool connected() const noexcept;
  // The connection's socket (for readiness waits), -1 when not connected.
  int socket() const noexcept;
  // Notifications for our scope received since the last call, per channel. Never blocks.
  struct Received {
    std::size_t changes = 0;  // local changes (kNotifyChannel)
    std::size_t events = 0;   // webhook events stored in the inbox (kInboxChannel)
  };
  Received poll();
  void disconnect() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// NOTIFY kNotifyChannel with `scope` as payload (e.g. after --retry-failed requeued changes, so a running
// daemon pushes them at once). Throws core::Error like the store.
void notify_changes(const std::string& dsn, const std::string& scope);

}  // namespace leadsync::db
