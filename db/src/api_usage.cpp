#include "api_usage.hpp"

#include <chrono>

namespace leadsync::db::detail {

std::string api_calls_json(const core::ApiCallsByActivity& calls) {
  std::string out = "{";
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i] == 0) continue;
    if (out.size() > 1) out += ", ";
    // Activity names are fixed identifiers: nothing to escape.
    out += std::string("\"") + core::to_string(static_cast<core::ApiActivity>(i)) +
           "\": " + std::to_string(calls[i]);
  }
  return out + "}";
}

core::ApiUsage read_api_usage(pqxx::transaction_base& tx, const std::string& scope) {
  core::ApiUsage u;
  // --status may read a database whose migrations this version has not applied yet: all unattributed then.
  const bool has_split =
      tx.exec(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'leadsync.runs'::regclass "
            "AND attname = 'api_calls_by_activity' AND NOT attisdropped)")[0][0]
          .as<bool>();
  const std::string unattributed =
      has_split ? "sum(api_calls) FILTER (WHERE api_calls_by_activity IS NULL)" : "sum(api_calls)";
  const auto window =
      tx.exec_params("SELECT coalesce(" + unattributed +
                         ", 0), coalesce(extract(epoch FROM now() - min(started_at)), 0)::bigint "
                         "FROM leadsync.runs WHERE scope = $1 AND started_at > now() - interval "
                         "'24 hours'",
                     scope);
  u.unattributed = window[0][0].as<std::int64_t>();
  u.covered = std::chrono::seconds(window[0][1].as<std::int64_t>());
  u.synced_leads =
      tx.exec_params("SELECT count(*) FROM leadsync.base WHERE scope = $1", scope)[0][0].as<std::int64_t>();
  if (!has_split) return u;
  for (const auto& row : tx.exec_params("SELECT a.key, sum(a.value::bigint), count(*) FROM leadsync.runs r, "
                                        "jsonb_each_text(r.api_calls_by_activity) a "
                                        "WHERE r.scope = $1 AND r.started_at > now() - interval '24 hours' "
                                        "AND jsonb_typeof(r.api_calls_by_activity) = 'object' GROUP BY a.key",
                                        scope)) {
    const auto activity = core::api_activity_from_string(row[0].c_str());
    // A name this version does not know (written by a newer leadsync) still counts, unattributed.
    if (!activity) {
      u.unattributed += row[1].as<std::int64_t>();
      continue;
    }
    u.calls[core::index_of(*activity)] = row[1].as<std::int64_t>();
    u.occurrences[core::index_of(*activity)] = row[2].as<std::int64_t>();
  }
  return u;
}

}  // namespace leadsync::db::detail
