// LISTEN/NOTIFY for the daemon's wake-up (see change_listener.hpp).
#include "leadsync/db/change_listener.hpp"

#include <pqxx/pqxx>
#include <utility>

#include "dedicated_session.hpp"
#include "leadsync/db/inbox_writer.hpp"
#include "leadsync/db/schema_manager.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::string_view channel, const std::string& scope, std::size_t& counter)
      : pqxx::notification_receiver(c, std::string(channel)), scope_(scope), counter_(counter) {}
  void operator()(const std::string& payload, int) override {
    if (payload == scope_) ++counter_;
  }

 private:
  const std::string& scope_;
  std::size_t& counter_;
};

}  // namespace

struct ChangeListener::Impl {
  std::string dsn;
  std::string scope;
  std::unique_ptr<detail::PgSession> session;
  bool inbox = false;
  std::unique_ptr<Receiver> receiver;
  std::unique_ptr<Receiver> inbox_receiver;  // when `inbox`: the webhook receiver's stored events
  Received received;

  void reset() noexcept {
    inbox_receiver.reset();
    receiver.reset();
    session.reset();
  }
};

ChangeListener::ChangeListener(std::string dsn, std::string scope, bool inbox)
    : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->scope = std::move(scope);
  impl_->inbox = inbox;
}

ChangeListener::~ChangeListener() {
  disconnect();
}

void ChangeListener::connect() {
  disconnect();
  try {
    impl_->session = std::make_unique<detail::PgSession>(impl_->dsn, "leadsync-listener");
    // A silently re-established connection would have lost the LISTEN and the notifications in between;
    // the owner reconnects explicitly and pushes after every reconnect instead.
    detail::inhibit_reactivation(impl_->session->conn);
    detail::enable_fast_dead_peer_detection(impl_->session->conn);
    impl_->receiver = std::make_unique<Receiver>(impl_->session->conn, kNotifyChannel, impl_->scope,
                                                 impl_->received.changes);
    if (impl_->inbox)
      impl_->inbox_receiver = std::make_unique<Receiver>(impl_->session->conn, kInboxChannel, impl_->scope,
                                                         impl_->received.events);
    impl_->session->conn.get_notifs();  // makes sure the LISTEN reached the server
  } catch (...) {
    impl_->reset();
    detail::rethrow_as_core_error("listening for local changes");
  }
  impl_->received = {};
}

bool ChangeListener::connected() const noexcept {
  return impl_->session && impl_->session->conn.is_open();
}

int ChangeListener::socket() const noexcept {
  return connected() ? impl_->session->conn.sock() : -1;
}

ChangeListener::Received ChangeListener::poll() {
  if (!impl_->session) throw core::transient_error("listening for local changes: not connected");
  try {
    impl_->session->conn.get_notifs();
    if (!impl_->session->conn.is_open()) throw pqxx::broken_connection("connection closed");
  } catch (...) {
    impl_->reset();
    detail::rethrow_as_core_error("listening for local changes");
  }
  return std::exchange(impl_->received, {});
}

void ChangeListener::disconnect() noexcept {
  try {
    impl_->reset();
  } catch (...) {
    // Closing a connection must not throw out of a destructor path.
  }
}

void notify_changes(const std::string& dsn, const std::string& scope) {
  try {
    detail::PgSession s(dsn, "leadsync");
    pqxx::nontransaction tx(s.conn);
    tx.exec_params("SELECT pg_notify($1, $2)", std::string(kNotifyChannel), scope);
  } catch (...) {
    detail::rethrow_as_core_error("announcing requeued changes");
  }
}

}  // namespace leadsync::db
