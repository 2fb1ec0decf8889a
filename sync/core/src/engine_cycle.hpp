#pragma once
// What the engine's translation units (engine.cpp: the cycle, pull.cpp, push_batch.cpp) share and no one
// else needs: the state of the cycle in progress and the sync_state helpers of the pull.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/engine.hpp"

namespace leadsync::core {

struct SyncEngine::Cycle {
  CycleRequest request;
  CycleReport report;
  std::uint64_t api_calls_at_start = 0;
  std::uint64_t skipped_bad_id_at_start = 0;
  ApiActivity activity = ApiActivity::setup;  // what the calls since activity_mark are for
  std::uint64_t activity_mark = 0;
  std::set<std::string> pull_failed;  // hubspot ids whose local write PostgreSQL refused in this cycle
  // While the incremental search runs with webhooks on: a lead it writes that changed before this time
  // was missed by the events (EngineOptions::event_grace).
  std::optional<WallTime> missed_before;
  bool dry_run() const { return request.dry_run; }
  RunCounts& counts() { return report.record.counts; }
};

namespace engine_detail {

std::optional<WallTime> parse_ms_state(const std::optional<std::string>& s);
// Stores the ids of leads to read again next cycle (their local write was refused): these, plus (merge)
// the ones stored before (pull.cpp).
net::awaitable<void> save_pull_retry(LeadStore& store, const net::any_io_executor& executor,
                                     std::set<std::string> ids, bool merge);

}  // namespace engine_detail
}  // namespace leadsync::core
