#pragma once
// ApiStats: the daemon's hubspot::ApiObserver. Counts HTTP calls by route and status, 429s by policy,
// waits, and keeps the last budget HubSpot reported — for leadsync.runs.api_calls, /metrics and --status.
// Thread-safety: callbacks come from the network thread; readers (metrics server) take the mutex.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "leadsync/hubspot/api_observer.hpp"

namespace leadsync::daemon {

class ApiStats final : public hubspot::ApiObserver {
 public:
  void on_call(std::string_view route, int status, std::chrono::milliseconds elapsed) override;
  void on_rate_limited(std::string_view policy) override;
  void on_budget(const hubspot::RateBudget& budget) override;
  void on_wait(std::string_view reason, std::chrono::milliseconds wait) override;
  void on_deprecation_notice(hubspot::ApiVersion version, const hubspot::DeprecationNotice& notice) override;

  std::uint64_t calls() const { return calls_.load(); }
  // Steady-clock time of the last callback of any kind (the daemon's watchdog uses it as a sign of life).
  std::chrono::steady_clock::time_point last_activity() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(last_activity_.load()));
  }

  struct Snapshot {
    std::map<std::pair<std::string, int>, std::uint64_t> calls_by_route_status;
    std::map<std::string, std::uint64_t> rate_limited_by_policy;
    hubspot::RateBudget budget;
    std::optional<std::chrono::system_clock::time_point> budget_reported_at;  // last rate-limit headers
    std::uint64_t calls = 0;
    double call_seconds_total = 0;
    double wait_seconds_total = 0;
    // Deprecation / Sunset announcements in HubSpot's response headers, by API version; kept for the process
    // (they survive reloads like the counters; DeprecationNotice::last_seen tells a lapsed one).
    std::map<hubspot::ApiVersion, hubspot::DeprecationNotice> deprecations;
  };
  Snapshot snapshot() const;

 private:
  void touch() { last_activity_.store(std::chrono::steady_clock::now().time_since_epoch().count()); }

  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::chrono::steady_clock::rep> last_activity_{0};
  mutable std::mutex mutex_;
  Snapshot data_;
};

}  // namespace leadsync::daemon
