#include "api_stats.hpp"

namespace leadsync::daemon {

void ApiStats::on_call(std::string_view route, int status, std::chrono::milliseconds elapsed) {
  calls_.fetch_add(1);
  touch();
  std::lock_guard lock(mutex_);
  ++data_.calls_by_route_status[{std::string(route), status}];
  data_.call_seconds_total += static_cast<double>(elapsed.count()) / 1000.0;
}

namespace {

// The policy comes from HubSpot's 429 body: a label value taken as sent would let the server (or anything
// answering in its place) put any text into /metrics and grow its series without bound.
std::string_view policy_label(std::string_view policy) {
  for (std::string_view known : {"TEN_SECONDLY_ROLLING", "SECONDLY", "DAILY"})
    if (policy == known) return known;
  return "other";
}

}  // namespace

void ApiStats::on_rate_limited(std::string_view policy) {
  std::lock_guard lock(mutex_);
  ++data_.rate_limited_by_policy[std::string(policy_label(policy))];
}

void ApiStats::on_budget(const hubspot::RateBudget& budget) {
  std::lock_guard lock(mutex_);
  if (budget.ten_secondly_remaining) data_.budget.ten_secondly_remaining = budget.ten_secondly_remaining;
  if (budget.ten_secondly_max) data_.budget.ten_secondly_max = budget.ten_secondly_max;
  if (budget.daily_remaining) data_.budget.daily_remaining = budget.daily_remaining;
  if (budget.daily_max) data_.budget.daily_max = budget.daily_max;
  if (budget.interval_ms) data_.budget.interval_ms = budget.interval_ms;
  if (!budget.empty()) data_.budget_reported_at = std::chrono::system_clock::now();
}

void ApiStats::on_wait(std::string_view, std::chrono::milliseconds wait) {
  touch();
  std::lock_guard lock(mutex_);
  data_.wait_seconds_total += static_cast<double>(wait.count()) / 1000.0;
}

void ApiStats::on_deprecation_notice(hubspot::ApiVersion version, const hubspot::DeprecationNotice& notice) {
  std::lock_guard lock(mutex_);
  data_.deprecations[version] = notice;
}

ApiStats::Snapshot ApiStats::snapshot() const {
  std::lock_guard lock(mutex_);
  Snapshot s = data_;
  s.calls = calls_.load();
  return s;
}

}  // namespace leadsync::daemon
