#pragma once
// What leadsync spends HubSpot API calls on, and a projection of a day's calls at the configured schedule.
//
// The engine attributes every call of a cycle to the activity it was doing
// (RunCounts::api_calls_by_activity); runs keep the split, so `--status` and /metrics can say where a
// portal's shared daily budget goes. project_daily_calls is pure: it turns the last 24 h of runs into the
// calls the next 24 h will take if the schedule stays as configured.
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace leadsync::core {

enum class ApiActivity : std::uint8_t {
  setup,              // checks before the work: property and pipeline reads, the lead count
  push,               // local changes sent to HubSpot (and their read-backs)
  incremental,        // the search for leads modified since the watermark, and re-reads of refused leads
  full_sweep,         // listing every lead, and confirming the deletes it suggests
  association_sweep,  // reading the associations of every synced lead
  recycle_bin,        // listing archived leads: deletes are invisible to search
  events,             // reads caused by webhook events
};
inline constexpr std::size_t kApiActivityCount = 7;

const char* to_string(ApiActivity a) noexcept;
std::optional<ApiActivity> api_activity_from_string(std::string_view s) noexcept;
constexpr std::size_t index_of(ApiActivity a) noexcept {
  return static_cast<std::size_t>(a);
}

// Whose turn it is at HubSpot's rate limit: background work (the sweeps) is paced and lets waiting
// foreground work (pushes, events, polls) take the next free slot, so that a sweep that fills the
// ten-secondly window does not hold up a push for the rest of it.
enum class CallPriority : std::uint8_t { foreground, background };
constexpr CallPriority priority_of(ApiActivity a) noexcept {
  return a == ApiActivity::full_sweep || a == ApiActivity::association_sweep || a == ApiActivity::recycle_bin
             ? CallPriority::background
             : CallPriority::foreground;
}

using ApiCallsByActivity = std::array<std::int64_t, kApiActivityCount>;

// The runs of the last 24 hours, summed per activity.
struct ApiUsage {
  ApiCallsByActivity calls{};        // API calls per activity
  ApiCallsByActivity occurrences{};  // runs that made at least one call of the activity
  std::int64_t unattributed = 0;     // calls of runs recorded before the split existed
  std::chrono::seconds covered{0};   // from the oldest of those runs to now (at most 24 h)
  std::int64_t synced_leads = 0;     // leads linked to HubSpot now: what unmeasured sweeps are estimated from
};

// The schedule a projection assumes (sync.interval, sync.full_sweep_interval,
// sync.association_sweep_interval).
struct ApiSchedule {
  std::chrono::milliseconds interval{60'000};
  std::chrono::milliseconds full_sweep_interval{86'400'000};
  std::chrono::milliseconds association_sweep_interval{3'600'000};
};

struct ApiProjection {
  ApiCallsByActivity calls{};  // per activity, for the next 24 h
  std::int64_t total = 0;
};

// Sweeps and polls recur on the schedule: their average cost per run times their runs per day. Pushes and
// events follow change, not the clock: their rate over the covered time (at least an hour, so that one busy
// minute after a start is not taken for a whole day's) carried over a day.
ApiProjection project_daily_calls(const ApiUsage& usage, const ApiSchedule& schedule);

}  // namespace leadsync::core
