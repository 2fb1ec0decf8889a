#pragma once
// ApiStats: the daemon's hubspot::ApiObserver. Counts HTTP calls by route and status, 429s by policy,
// waits, and keeps the last budget HubSpot reported — for leadsync.runs.api_calls, /metrics and --status.
// Thread-safety: callbacks come from the network thread; readers (metrics server) take the mutex.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "leadsync/hubspot/api_observer.hpp"

namespace leadsync::daemon {

class ApiStats final : public hubspot::ApiObserver {
 public:
  void on_call(std::string_view route, int status, std::chrono::milliseconds elapsed) override;
  void on_rate_limited(std::string_view policy) override;
  void on_budget(const hubspot::RateBudget& budget) override;
  void on_wait(std::string_view reason, std::chrono::milliseconds wait) override;

  std::uint64_t calls() const { return calls_.load(); }

  struct Snapshot {
    std::map<std::pair<std::string, int>, std::uint64_t> calls_by_route_status;
    std::map<std::string, std::uint64_t> rate_limited_by_policy;
    hubspot::RateBudget budget;
    std::uint64_t calls = 0;
    double call_seconds_total = 0;
    double wait_seconds_total = 0;
  };
  Snapshot snapshot() const;

 private:
  std::atomic<std::uint64_t> calls_{0};
  mutable std::mutex mutex_;
  Snapshot data_;
};

}  // namespace leadsync::daemon
