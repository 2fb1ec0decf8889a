#include "pg_session.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <string_view>

namespace leadsync::db::detail {

bool NoticeLogger::operator()(const char msg[]) noexcept {
  try {
    std::string_view text(msg);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    // NOTICEs are chatter from idempotent DDL (IF NOT EXISTS ... skipping); WARNINGs deserve attention.
    if (text.rfind("WARNING", 0) == 0)
      spdlog::warn("postgres: {}", text);
    else
      spdlog::debug("postgres: {}", text);
  } catch (...) {
    // Logging must never throw into libpq's callback.
  }
  return false;  // handled: do not fall through to libpqxx's default (stderr)
}

PgSession::PgSession(const std::string& dsn, const char* application_name) : conn(dsn) {
  // Name the session in pg_stat_activity unless the operator's DSN already did.
  pqxx::nontransaction tx(conn);
  tx.exec_params(
      "SELECT set_config('application_name', $1, false) "
      "WHERE current_setting('application_name') = ''",
      std::string(application_name));
}

}  // namespace leadsync::db::detail
