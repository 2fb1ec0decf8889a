#include "leadsync/core/api_activity.hpp"

#include <algorithm>
#include <cmath>

namespace leadsync::core {

namespace {

constexpr std::array<const char*, kApiActivityCount> kNames = {
    "setup", "push", "incremental", "full_sweep", "association_sweep", "recycle_bin", "events"};

double per_day(std::chrono::milliseconds every) {
  const double ms = static_cast<double>(std::max<std::int64_t>(every.count(), 1));
  return 86'400'000.0 / ms;
}

}  // namespace

const char* to_string(ApiActivity a) noexcept {
  const auto i = index_of(a);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::optional<ApiActivity> api_activity_from_string(std::string_view s) noexcept {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (s == kNames[i]) return static_cast<ApiActivity>(i);
  return std::nullopt;
}

ApiProjection project_daily_calls(const ApiUsage& usage, const ApiSchedule& schedule) {
  ApiProjection p;
  const double covered_s = std::max<double>(static_cast<double>(usage.covered.count()), 3'600.0);
  for (std::size_t i = 0; i < kApiActivityCount; ++i) {
    const auto a = static_cast<ApiActivity>(i);
    const double calls = static_cast<double>(usage.calls[i]);
    const double average = usage.occurrences[i] > 0 ? calls / static_cast<double>(usage.occurrences[i]) : 0.0;
    double day = 0;
    switch (a) {
      case ApiActivity::full_sweep:
        day = average * per_day(schedule.full_sweep_interval);
        break;
      case ApiActivity::association_sweep:
      case ApiActivity::recycle_bin:
        day = average * per_day(schedule.association_sweep_interval);
        break;
      case ApiActivity::incremental:
        day = average * per_day(schedule.interval);
        break;
      case ApiActivity::setup:
      case ApiActivity::push:
      case ApiActivity::events:
        day = calls * 86'400.0 / covered_s;
        break;
    }
    p.calls[i] = static_cast<std::int64_t>(std::llround(day));
    p.total += p.calls[i];
  }
  return p;
}

}  // namespace leadsync::core
