#pragma once
// RateLimiter: HubSpot's three limits as they are documented and observed (docs/hubspot-api.md#rate-limits,
// #search):
//  - ten-secondly rolling window per app (per token), shared by every non-search call;
//  - search requests per second per account (search is exempt from the ten-secondly window);
//  - daily per account (every call, reset at midnight UTC).
// A value of 0 switches a limit off. Rejected calls do not consume budget.
// Not thread-safe (used under the App's mutex); never throws except std::bad_alloc.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leadsync::fake_hubspot {

struct RateConfig {
  int per_10s = 0;
  int search_per_second = 0;
  std::int64_t daily = 0;
  int search_lag_ms = 0;
};

enum class RateVerdict { ok, ten_secondly, secondly, daily };

class RateLimiter {
 public:
  struct Result {
    RateVerdict verdict = RateVerdict::ok;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  // `app` identifies the app (token); steady_ms is a monotonic clock, wall_ms the wall clock (for
  // the daily reset).
  Result check(const std::string& app, bool is_search, std::int64_t steady_ms, std::int64_t wall_ms);
  // X-HubSpot-RateLimit-* headers describing the current state without consuming anything.
  std::vector<std::pair<std::string, std::string>> headers(const std::string& app, bool is_search,
                                                           std::int64_t steady_ms, std::int64_t wall_ms);
  void reset();

  RateConfig config;

 private:
  void roll(std::int64_t steady_ms, std::int64_t wall_ms);

  std::map<std::string, std::deque<std::int64_t>> ten_secondly_;  // per app: accepted call times
  std::deque<std::int64_t> search_;                               // per account
  std::int64_t daily_used_ = 0;
  std::int64_t day_ = -1;
};

}  // namespace leadsync::fake_hubspot
