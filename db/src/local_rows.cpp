#include "leadsync/db/local_rows.hpp"

#include <pqxx/pqxx>

#include "leadsync/db/identifier.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"

namespace leadsync::db {

std::map<std::string, core::PropertyValues> read_local_values(const std::string& dsn,
                                                              const core::SyncMapping& mapping,
                                                              const std::vector<std::string>& hubspot_ids) {
  std::map<std::string, core::PropertyValues> out;
  if (hubspot_ids.empty() || mapping.properties.empty()) return out;
  try {
    detail::PgSession session(dsn, "leadsync dry-run");
    pqxx::read_transaction tx(session.conn, "leadsync_local_rows");
    std::string sql = "SELECT hubspot_id";
    for (const auto& p : mapping.properties) sql += ", " + quote_identifier(p.column) + "::text";
    sql += " FROM " + quote_qualified(mapping.schema, mapping.table) + " WHERE hubspot_id IN (";
    for (std::size_t i = 0; i < hubspot_ids.size(); ++i) sql += (i ? ", " : "") + tx.quote(hubspot_ids[i]);
    sql += ")";
    for (const auto& row : tx.exec(sql)) {
      auto& values = out[row[0].c_str()];
      for (std::size_t i = 0; i < mapping.properties.size(); ++i) {
        const auto& f = row[static_cast<pqxx::row::size_type>(i + 1)];
        values[mapping.properties[i].property] = f.is_null() ? core::Value() : core::Value(f.c_str());
      }
    }
  } catch (...) {
    detail::rethrow_as_core_error("reading local rows");
  }
  return out;
}

}  // namespace leadsync::db
