#pragma once
// What a PostgreSQL failure means, decided by its SQLSTATE in this one place: db/ turns it into a
// core::Error's kind (category = the SQLSTATE), and the daemon into an exit code. Never by message text.
#include <string_view>

#include "leadsync/core/error.hpp"

namespace leadsync::db {

enum class PgFailure {
  retry,            // the database cannot serve now (connection, shutdown, resources, system or internal
                    // error, timeouts, rollbacks): retry later; exit 69 so that systemd restarts
  outcome_unknown,  // the connection was lost during COMMIT (08007): never retried blindly, but the
                    // service is at fault, not the configuration: exit 69
  record,           // one lead's values (data exception, constraint, an operator trigger's RAISE)
  refused,          // anything else (schema, permissions, SQL): the operator must act, exit 78
};

// The SQLSTATE leadsync records for a COMMIT whose outcome is unknown (transaction_resolution_unknown).
inline constexpr std::string_view kSqlstateOutcomeUnknown = "08007";

PgFailure classify_sqlstate(std::string_view sqlstate) noexcept;

// True when `e` came from PostgreSQL (no HTTP status, a SQLSTATE as category) and classifies as retry or
// outcome_unknown: the exit code is then 69, whatever the error's kind.
bool is_database_unavailable(const core::Error& e) noexcept;

}  // namespace leadsync::db
