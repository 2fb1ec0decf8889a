#pragma once
// Internal to leadsync_db: classifies PostgreSQL/libpqxx failures into core::Error at the db/ edge.
//   broken connection, too many connections, admin shutdown, serialization failure, deadlock,
//   lock timeout                                     -> transient (retry later)
//   in-doubt commit (connection lost during COMMIT)  -> fatal (outcome unknown: never retried blindly)
//   any other SQL error                              -> fatal, SQLSTATE in ErrorDetails::category
// core::Error passes through unchanged. Messages carry PostgreSQL's text, never the DSN.
#include <string>

#include "leadsync/core/error.hpp"

namespace leadsync::db::detail {

// Call only inside a catch block: rethrows the exception in flight as a core::Error whose message
// starts with `doing` ("applying migration 0002_x.sql: ...").
[[noreturn]] void rethrow_as_core_error(const std::string& doing);

// SQLSTATEs whose operation may succeed when retried (connection exceptions, rollbacks, lock timeouts).
bool is_transient_sqlstate(const std::string& sqlstate) noexcept;

}  // namespace leadsync::db::detail
