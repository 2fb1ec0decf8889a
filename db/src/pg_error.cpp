#include "pg_error.hpp"

#include <exception>
#include <pqxx/pqxx>

#include "dsn_redaction.hpp"
#include "leadsync/db/pg_failure.hpp"

namespace leadsync::db {

PgFailure classify_sqlstate(std::string_view sqlstate) noexcept {
  if (sqlstate.size() != 5) return PgFailure::refused;
  if (sqlstate == kSqlstateOutcomeUnknown) return PgFailure::outcome_unknown;
  const auto cls = sqlstate.substr(0, 2);
  if (cls == "08"              // connection exception
      || cls == "40"           // transaction rollback: serialization failure, deadlock
      || cls == "53"           // insufficient resources: disk full, out of memory, too many connections
      || cls == "58"           // system error: I/O error, undefined file
      || cls == "XX"           // internal error, data or index corrupted: the server's, not the config's
      || sqlstate == "25006"   // read_only_sql_transaction: a replica; a failover makes it writable
      || sqlstate == "55P03"   // lock_not_available (lock_timeout)
      || sqlstate == "57014"   // query_canceled: statement_timeout, or an operator's pg_cancel_backend
      || sqlstate == "57P01"   // admin_shutdown
      || sqlstate == "57P02"   // crash_shutdown
      || sqlstate == "57P03"   // cannot_connect_now (starting up, recovery)
      || sqlstate == "57P05")  // idle_session_timeout
    return PgFailure::retry;
  // 22: data exception (a value that does not fit), 23: integrity constraint violation, P0001: RAISE in an
  // operator's trigger. These concern one lead's values, not the database as a whole.
  if (cls == "22" || cls == "23" || sqlstate == "P0001") return PgFailure::record;
  return PgFailure::refused;
}

bool is_database_unavailable(const core::Error& e) noexcept {
  if (e.details().http_status != 0) return false;
  const auto c = classify_sqlstate(e.details().category);
  return c == PgFailure::retry || c == PgFailure::outcome_unknown;
}

}  // namespace leadsync::db

namespace leadsync::db::detail {

namespace {

// libpq messages end with a newline and continue lines with "\n\t"; log lines and exit messages want one
// line.
std::string one_line(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
      out += ' ';
    } else {
      out += text[i];
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

core::Error error_of_kind(PgFailure failure, const std::string& text, core::ErrorDetails details) {
  return failure == PgFailure::retry ? core::transient_error(text, std::move(details))
                                     : core::fatal_error(text, std::move(details));
}

[[noreturn]] void rethrow_classified(const std::string& prefix) {
  try {
    throw;
  } catch (const core::Error&) {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw core::fatal_error(prefix +
                                "the connection was lost during COMMIT, so it is unknown whether the "
                                "transaction was committed; check the database before retrying (" +
                                one_line(e.what()) + ")",
                            core::ErrorDetails{.category = std::string(kSqlstateOutcomeUnknown)});
  } catch (const pqxx::broken_connection& e) {
    throw core::transient_error(prefix + "PostgreSQL connection failed: " + one_line(e.what()),
                                core::ErrorDetails{.category = "08006"});
  } catch (const pqxx::transaction_rollback& e) {
    // libpqxx 6.4 does not keep the SQLSTATE for this family (40xxx).
    throw core::transient_error(prefix + "transaction rolled back by PostgreSQL (retry): " + e.what(),
                                core::ErrorDetails{.category = "40000"});
  } catch (const pqxx::sql_error& e) {
    core::ErrorDetails details;
    details.category = e.sqlstate();
    std::string text = prefix + e.what();
    // libpqxx's message ends with a newline; keep one-line messages.
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (e.sqlstate() == "25006")
      text +=
          "; the database is read-only (a replica/hot standby, or default_transaction_read_only = on): "
          "leadsync needs a writable primary (libpq: target_session_attrs=read-write)";
    if (!e.sqlstate().empty()) text += " (SQLSTATE " + e.sqlstate() + ")";
    throw error_of_kind(classify_sqlstate(e.sqlstate()), text, std::move(details));
  } catch (const std::exception& e) {
    throw core::fatal_error(prefix + e.what());
  }
}

}  // namespace

bool is_transient_sqlstate(const std::string& sqlstate) noexcept {
  return classify_sqlstate(sqlstate) == PgFailure::retry;
}

void rethrow_as_core_error(const std::string& doing) {
  const std::string prefix = doing.empty() ? std::string() : doing + ": ";
  try {
    rethrow_classified(prefix);
  } catch (const core::Error& e) {
    // Whatever the source, no text with the DSN's password leaves db/.
    throw core::Error(e.kind(), redact_dsn_secrets(e.what()), e.details());
  }
}

}  // namespace leadsync::db::detail
