#include "pg_error.hpp"

#include <exception>
#include <pqxx/pqxx>

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

}  // namespace

bool is_transient_sqlstate(const std::string& sqlstate) noexcept {
  if (sqlstate.size() != 5) return false;
  const auto cls = sqlstate.substr(0, 2);
  return cls == "08"              // connection exception
         || cls == "40"           // transaction rollback: serialization failure, deadlock
         || sqlstate == "53300"   // too_many_connections
         || sqlstate == "55P03"   // lock_not_available (lock_timeout)
         || sqlstate == "57P01"   // admin_shutdown
         || sqlstate == "57P02"   // crash_shutdown
         || sqlstate == "57P03";  // cannot_connect_now (starting up, recovery)
}

void rethrow_as_core_error(const std::string& doing) {
  const std::string prefix = doing.empty() ? std::string() : doing + ": ";
  try {
    throw;
  } catch (const core::Error&) {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw core::fatal_error(prefix +
                            "the connection was lost during COMMIT, so it is unknown whether the "
                            "transaction was committed; check the database before retrying (" +
                            one_line(e.what()) + ")");
  } catch (const pqxx::broken_connection& e) {
    throw core::transient_error(prefix + "PostgreSQL connection failed: " + one_line(e.what()));
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
    // A read-only database (a hot standby, or default_transaction_read_only = on): leadsync cannot work
    // there, but a failover may make it writable again, so it is "unavailable" (retried), not a config error.
    const bool read_only = e.sqlstate() == "25006";
    if (read_only)
      text +=
          "; the database is read-only (a replica/hot standby, or default_transaction_read_only = on): "
          "leadsync needs a writable primary (libpq: target_session_attrs=read-write)";
    if (!e.sqlstate().empty()) text += " (SQLSTATE " + e.sqlstate() + ")";
    if (read_only) throw core::transient_error(text, std::move(details));
    if (is_transient_sqlstate(e.sqlstate())) throw core::transient_error(text, std::move(details));
    throw core::fatal_error(text, std::move(details));
  } catch (const std::exception& e) {
    throw core::fatal_error(prefix + e.what());
  }
}

}  // namespace leadsync::db::detail
