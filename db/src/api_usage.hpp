#pragma once
// Internal to leadsync_db: the API-call split of leadsync.runs (api_calls_by_activity), written by
// PgStore::finish_run and summed over the last 24 hours for --status (PgStore::status) and the daemon's
// budget gauge (LeaderLock::api_usage).
#include <pqxx/pqxx>
#include <string>

#include "leadsync/core/api_activity.hpp"

namespace leadsync::db::detail {

// {"push": 3, "incremental": 1}: activities without a call are left out.
std::string api_calls_json(const core::ApiCallsByActivity& calls);
core::ApiUsage read_api_usage(pqxx::transaction_base& tx, const std::string& scope);

}  // namespace leadsync::db::detail
