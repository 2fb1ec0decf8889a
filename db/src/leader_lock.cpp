// The leader lock and the daemon's dedicated-session helpers (see leader_lock.hpp, dedicated_session.hpp).
#include "leadsync/db/leader_lock.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <pqxx/pqxx>

#include "api_usage.hpp"
#include "dedicated_session.hpp"
#include "dsn_redaction.hpp"
#include "inbox_status.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

namespace detail {

void enable_fast_dead_peer_detection(pqxx::connection_base& conn) {
  const int fd = conn.sock();
  if (fd >= 0) {
    // Best effort: these fail harmlessly on Unix-domain sockets.
    const int on = 1, idle = 5, interval = 2, count = 3;
    const unsigned int user_timeout_ms = 15'000;
    (void)::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    (void)::setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
  }
  // The server's end of the same socket: it then ends the session of a vanished client (releasing its
  // advisory lock) within seconds instead of hours. All three are user-settable.
  pqxx::nontransaction tx(conn);
  tx.exec(
      "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3; "
      "SET tcp_user_timeout = 15000");
}

}  // namespace detail

std::int64_t leader_lock_key(std::string_view scope) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ULL;
    }
  };
  mix("leadsync.leader:");
  mix(scope);
  return static_cast<std::int64_t>(h);
}

struct LeaderLock::Impl {
  std::string dsn;
  std::string scope;
  std::int64_t key = 0;
  std::unique_ptr<detail::PgSession> session;
  bool held = false;

  void close() noexcept {
    held = false;
    try {
      session.reset();
    } catch (...) {
    }
  }

  pqxx::connection& connection() {
    if (!session || !session->conn.is_open()) {
      close();
      session = std::make_unique<detail::PgSession>(dsn, "leadsync-leader");
      detail::inhibit_reactivation(session->conn);
      detail::enable_fast_dead_peer_detection(session->conn);
    }
    return session->conn;
  }

  std::string classid() const { return std::to_string(static_cast<std::uint64_t>(key) >> 32); }
  std::string objid() const { return std::to_string(static_cast<std::uint64_t>(key) & 0xffffffffULL); }
};

LeaderLock::LeaderLock(std::string dsn, std::string scope) : impl_(std::make_unique<Impl>()) {
  impl_->dsn = std::move(dsn);
  impl_->scope = std::move(scope);
  impl_->key = leader_lock_key(impl_->scope);
}

LeaderLock::~LeaderLock() {
  release();
}

const std::string& LeaderLock::scope() const noexcept {
  return impl_->scope;
}
std::int64_t LeaderLock::key() const noexcept {
  return impl_->key;
}
bool LeaderLock::held() const noexcept {
  return impl_->held;
}

bool LeaderLock::try_acquire() {
  if (impl_->held) return check();
  try {
    auto& conn = impl_->connection();
    pqxx::nontransaction tx(conn);
    // pg_try_advisory_lock is re-entrant per session; `held` guards against taking it twice.
    impl_->held = tx.exec_params("SELECT pg_try_advisory_lock($1)", impl_->key)[0][0].as<bool>();
    return impl_->held;
  } catch (...) {
    impl_->close();
    detail::rethrow_as_core_error("taking the leader lock");
  }
}

bool LeaderLock::check() noexcept {
  if (!impl_->held || !impl_->session) return false;
  try {
    pqxx::nontransaction tx(impl_->session->conn);
    auto r = tx.exec(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
        "AND granted AND classid = " +
        impl_->classid() + "::oid AND objid = " + impl_->objid() + "::oid AND objsubid = 1");
    if (r[0][0].as<long>() > 0) return true;
    spdlog::error("leader lock check: the session no longer holds the lock");
  } catch (const std::exception& e) {
    spdlog::warn("leader lock check failed: {}", detail::redact_dsn_secrets(e.what()));
  }
  impl_->close();
  return false;
}

void LeaderLock::release() noexcept {
  if (impl_->held && impl_->session && impl_->session->conn.is_open()) {
    try {
      pqxx::nontransaction tx(impl_->session->conn);
      tx.exec_params("SELECT pg_advisory_unlock($1)", impl_->key);
    } catch (...) {
      // Closing the session below releases the lock anyway.
    }
  }
  impl_->close();
}

std::optional<LockHolder> LeaderLock::holder() {
  try {
    auto& conn = impl_->connection();
    pqxx::nontransaction tx(conn);
    auto r = tx.exec(
        "SELECT l.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), ''), "
        "coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') "
        "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = " +
        impl_->classid() + "::oid AND l.objid = " + impl_->objid() +
        "::oid AND l.objsubid = 1 AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database()) LIMIT 1");
    if (r.empty()) return std::nullopt;
    return LockHolder{r[0][0].as<int>(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
  } catch (const std::exception& e) {
    spdlog::debug("could not read the leader lock holder: {}", detail::redact_dsn_secrets(e.what()));
    if (!impl_->held) impl_->close();
    return std::nullopt;
  }
}

OutboxDepth LeaderLock::outbox_depth() {
  try {
    auto& conn = impl_->connection();
    pqxx::nontransaction tx(conn);
    auto r = tx.exec_params(
        "SELECT count(*) FILTER (WHERE state = 'NEW'), count(*) FILTER (WHERE state = 'PENDING'), "
        "count(*) FILTER (WHERE state = 'FAILED') FROM leadsync.changes "
        "WHERE scope = $1 AND state IN ('NEW', 'PENDING', 'FAILED')",
        impl_->scope);
    return OutboxDepth{r[0][0].as<std::int64_t>(), r[0][1].as<std::int64_t>(), r[0][2].as<std::int64_t>()};
  } catch (...) {
    if (!impl_->session || !impl_->session->conn.is_open()) impl_->close();
    detail::rethrow_as_core_error("counting pending changes");
  }
}

core::ApiUsage LeaderLock::api_usage() {
  try {
    pqxx::nontransaction tx(impl_->connection());
    return detail::read_api_usage(tx, impl_->scope);
  } catch (...) {
    if (!impl_->session || !impl_->session->conn.is_open()) impl_->close();
    detail::rethrow_as_core_error("reading the API calls of the last 24 hours");
  }
}

InboxStatus LeaderLock::inbox_status() {
  try {
    pqxx::nontransaction tx(impl_->connection());
    return detail::read_inbox_status(tx, impl_->scope);
  } catch (...) {
    if (!impl_->session || !impl_->session->conn.is_open()) impl_->close();
    detail::rethrow_as_core_error("reading the webhook inbox");
  }
}

}  // namespace leadsync::db
