#include "rate_limit.hpp"

#include <algorithm>

namespace leadsync::fake_hubspot {

namespace {
constexpr std::int64_t kWindowMs = 10'000;
constexpr std::int64_t kSearchWindowMs = 1'000;
}  // namespace

void RateLimiter::roll(std::int64_t steady_ms, std::int64_t wall_ms) {
  const std::int64_t day = wall_ms / 86'400'000;
  if (day != day_) {
    day_ = day;
    daily_used_ = 0;
  }
  for (auto& [app, q] : ten_secondly_)
    while (!q.empty() && q.front() <= steady_ms - kWindowMs) q.pop_front();
  while (!search_.empty() && search_.front() <= steady_ms - kSearchWindowMs) search_.pop_front();
}

std::vector<std::pair<std::string, std::string>> RateLimiter::headers(const std::string& app, bool is_search,
                                                                      std::int64_t steady_ms,
                                                                      std::int64_t wall_ms) {
  roll(steady_ms, wall_ms);
  std::vector<std::pair<std::string, std::string>> h;
  if (config.daily > 0) {
    h.emplace_back("X-HubSpot-RateLimit-Daily", std::to_string(config.daily));
    h.emplace_back("X-HubSpot-RateLimit-Daily-Remaining",
                   std::to_string(std::max<std::int64_t>(0, config.daily - daily_used_)));
  }
  // Search responses carry only the daily headers (observed in real captures).
  if (!is_search && config.per_10s > 0) {
    const auto used = static_cast<std::int64_t>(ten_secondly_[app].size());
    h.emplace_back("X-HubSpot-RateLimit-Interval-Milliseconds", std::to_string(kWindowMs));
    h.emplace_back("X-HubSpot-RateLimit-Max", std::to_string(config.per_10s));
    h.emplace_back("X-HubSpot-RateLimit-Remaining",
                   std::to_string(std::max<std::int64_t>(0, config.per_10s - used)));
  }
  return h;
}

RateLimiter::Result RateLimiter::check(const std::string& app, bool is_search, std::int64_t steady_ms,
                                       std::int64_t wall_ms) {
  roll(steady_ms, wall_ms);
  Result r;
  if (config.daily > 0 && daily_used_ >= config.daily) {
    r.verdict = RateVerdict::daily;
  } else if (is_search && config.search_per_second > 0 &&
             static_cast<int>(search_.size()) >= config.search_per_second) {
    r.verdict = RateVerdict::secondly;
  } else if (!is_search && config.per_10s > 0 &&
             static_cast<int>(ten_secondly_[app].size()) >= config.per_10s) {
    r.verdict = RateVerdict::ten_secondly;
  } else {
    ++daily_used_;
    if (is_search) {
      search_.push_back(steady_ms);
    } else if (config.per_10s > 0) {
      ten_secondly_[app].push_back(steady_ms);
    }
  }
  r.headers = headers(app, is_search, steady_ms, wall_ms);
  return r;
}

void RateLimiter::reset() {
  ten_secondly_.clear();
  search_.clear();
  daily_used_ = 0;
  day_ = -1;
}

}  // namespace leadsync::fake_hubspot
