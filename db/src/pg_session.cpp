#include "pg_session.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <string_view>

#include "dsn_redaction.hpp"

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

namespace {

// A malformed DSN is refused before libpq sees it: libpq's own message would quote it, password and all.
const std::string& syntax_checked(const std::string& dsn) {
  check_dsn_syntax(dsn);
  return dsn;
}

}  // namespace

PgSession::PgSession(const std::string& dsn, const char* application_name) try : conn(syntax_checked(dsn)) {
  // Name the session in pg_stat_activity unless the operator's DSN already did.
  pqxx::nontransaction tx(conn);
  tx.exec_params(
      "SELECT set_config('application_name', $1, false) "
      "WHERE current_setting('application_name') = ''",
      std::string(application_name));
} catch (const pqxx::broken_connection& e) {
  // libpq's connection errors can name what the DSN says; no text with its password leaves db/.
  throw pqxx::broken_connection(redact_dsn_secrets(e.what()));
}

}  // namespace leadsync::db::detail
