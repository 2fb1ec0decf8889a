#pragma once
// LeaderLock: high availability with PostgreSQL as the coordinator. Of all leadsync processes syncing the
// same scope (schema.table) in one database, exactly one is active: the one holding the session-level
// advisory lock leader_lock_key(scope) on its dedicated connection. The others are standbys that call
// try_acquire() every second or so. The lock lives exactly as long as the holder's session: when the active
// process dies, PostgreSQL ends its session and the lock is free at once (kill -9 closes the socket); a
// vanished host is noticed through TCP keepalives on both ends (about 15 s).
//
// The active process calls check() regularly and stops working as soon as it returns false or throws: its
// session (and so the lock) may be gone, and a standby may already be active. The session is never
// re-established silently (that would drop the lock unnoticed); after a loss, release() and try_acquire()
// again.
//
// Errors: try_acquire(), outbox_depth(), api_usage() and inbox_status() throw a transient core::Error when
// PostgreSQL cannot be reached (messages never contain the DSN). check() does not throw: a broken connection
// is `false`. Thread-safety: not thread-safe; every call blocks on the network (run it off the event loop).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "leadsync/core/api_activity.hpp"
#include "leadsync/db/inbox_status.hpp"

namespace leadsync::db {

// 64-bit FNV-1a of "leadsync.leader:" + scope: stable across versions and platforms, so every leadsync
// release agrees on the key. In pg_locks it appears as classid = key >> 32, objid = key & 0xffffffff,
// objsubid = 1.
std::int64_t leader_lock_key(std::string_view scope);

// The session holding the lock, for "standby: waiting for ..." messages.
struct LockHolder {
  int pid = 0;                   // backend pid
  std::string application_name;  // "leadsync-leader" unless the DSN names the application
  std::string client;            // client address (empty for a Unix-domain socket)
  std::string since;             // backend start, ISO 8601 UTC
};

// Changes waiting in leadsync.changes for the scope (the /metrics outbox gauge).
struct OutboxDepth {
  std::int64_t fresh = 0;    // NEW
  std::int64_t pending = 0;  // PENDING (being pushed or waiting for a retry)
  std::int64_t failed = 0;   // FAILED (needs --retry-failed)
};

class LeaderLock {
 public:
  LeaderLock(std::string dsn, std::string scope);
  ~LeaderLock();
  LeaderLock(const LeaderLock&) = delete;
  LeaderLock& operator=(const LeaderLock&) = delete;

  const std::string& scope() const noexcept;
  std::int64_t key() const noexcept;

  // Connects when needed and tries to take the lock without waiting. true when this session holds it.
  bool try_acquire();
  // true when the connection answers and the lock is still held by it; false otherwise (not held, or the
  // connection broke, in which case it is closed).
  bool check() noexcept;
  bool held() const noexcept;
  // Unlocks and closes the session (a standby may take over at once).
  void release() noexcept;
  // Who holds the lock now (nullopt: nobody, or the query failed). Uses the dedicated connection.
  std::optional<LockHolder> holder();
  OutboxDepth outbox_depth();
  // The scope's API calls of the last 24 hours by activity (leadsync.runs), on the same session.
  core::ApiUsage api_usage();
  // The scope's webhook inbox (the /metrics webhook gauges, /readyz's last event), on the same session.
  InboxStatus inbox_status();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadsync::db
