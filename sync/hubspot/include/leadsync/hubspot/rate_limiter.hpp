#pragma once
// Client-side rate limiting, so a full sync runs at the configured budget without HubSpot answering 429.
//
// Buckets (one per HubSpot policy):
//   ten_secondly - `requests_per_10s` requests in any rolling `interval` (10 s). Every non-search call.
//   search       - `search_per_second` requests in any rolling second. Search calls only: HubSpot exempts
//                  search from the ten-secondly limit.
//   daily        - `daily` calls per day (0 = no local budget) plus whatever X-HubSpot-RateLimit-Daily-
//                  Remaining says. Every call counts. The day ends at midnight UTC shifted by
//                  `daily_reset_utc_offset` (HubSpot resets at midnight in the portal's time zone; configure
//                  the offset to match it, UTC by default).
//
// Window accounting is a sliding log of *completion* times: a request occupies a slot from acquire() until
// `window` after its response arrived (Permit::complete). Since HubSpot counted the request at some moment
// between our send and our receive, no rolling window of HubSpot's can then hold more than `capacity` of our
// requests, whatever the network latency; `safety_margin` is added to each window for clock granularity.
//
// observe() follows X-HubSpot-RateLimit-* headers: Max lowers the capacity (never raises it above the
// configured one), Interval-Milliseconds sets the window, Remaining lower than the local count implies
// (another integration shares the app) fills the local log so we slow down, Daily-Remaining caps the daily
// budget. pause() blocks a bucket after a 429; mark_daily_exhausted() after a 429 DAILY.
//
// Priorities (core::CallPriority): background calls (the sweeps) are paced evenly over the window, one every
// window / capacity, instead of filling it in a burst and then waiting for most of it; and while a foreground
// call (a push, events, a poll) waits for a slot, no background call takes one. A push that comes while a
// sweep uses the whole budget then waits for the next slot to free, a fraction of a second, not for the
// window to roll. The sweep's throughput stays at the bucket's capacity.
//
// Throws: acquire() throws a transient core::Error with details().policy == "DAILY" and retry_after set
// while the daily budget is exhausted (until the reset); the client does not retry it.
// Time comes only from core::Clock (waits via Clock::sleep_for), so tests use a ManualClock.
// Thread-safety: one executor; not thread-safe. Permits must not outlive the limiter.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "leadsync/core/api_activity.hpp"
#include "leadsync/core/clock.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/hubspot/api_observer.hpp"
#include "leadsync/hubspot/stoppable_wait.hpp"

namespace leadsync::hubspot {

enum class RatePolicy { ten_secondly, search };

const char* to_string(RatePolicy policy) noexcept;

struct RateLimitOptions {
  bool enabled = true;  // false: acquire() never waits and nothing is counted (benchmarks)
  int requests_per_10s = 100;
  std::chrono::milliseconds interval{10'000};
  int search_per_second = 5;
  std::int64_t daily = 0;  // 0 = no local daily budget (the Daily-Remaining header is still followed)
  std::chrono::minutes daily_reset_utc_offset{0};
  std::chrono::milliseconds safety_margin{50};
  // When all slots are held by requests still in flight, re-check this often.
  std::chrono::milliseconds in_flight_poll{50};
};

// Parses the X-HubSpot-RateLimit-* headers present in `headers` (absent ones stay nullopt).
RateBudget parse_rate_budget(const std::vector<http::Header>& headers);

class RateLimiter {
 public:
  // A slot taken by acquire(). complete() (or destruction) stamps the completion time.
  class Permit {
   public:
    Permit() = default;
    Permit(Permit&& other) noexcept;
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit() { complete(); }

    void complete();
    // How long acquire() waited for this slot.
    std::chrono::milliseconds waited() const { return waited_; }

   private:
    friend class RateLimiter;
    RateLimiter* limiter_ = nullptr;
    RatePolicy policy_ = RatePolicy::ten_secondly;
    std::chrono::milliseconds waited_{0};
  };

  RateLimiter(core::Clock& clock, RateLimitOptions options);
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Waits until the policy's bucket (and the daily budget) has room, then takes a slot.
  net::awaitable<Permit> acquire(RatePolicy policy,
                                 core::CallPriority priority = core::CallPriority::foreground);

  // Follows the rate-limit headers of a response to a call made under `policy`.
  void observe(const RateBudget& budget, RatePolicy policy);
  // Blocks the bucket for `wait` from now (after a 429); acquire() callers wait it out.
  void pause(RatePolicy policy, std::chrono::milliseconds wait);
  // After a 429 DAILY: no call until the next daily reset.
  void mark_daily_exhausted();
  // Ends every wait in acquire() now and from now on (a stop request): the caller gets a transient error.
  void stop_waiting() { waits_.stop(); }

  // When the daily budget is exhausted: the wall time of the reset. nullopt otherwise.
  std::optional<core::WallTime> daily_exhausted_until() const;
  // Time until the oldest request in the window leaves it (0 when the bucket has room); the full window
  // when the bucket holds none of our requests (somebody else used the budget).
  std::chrono::milliseconds time_until_slot(RatePolicy policy) const;
  // The next daily reset after `now`.
  core::WallTime next_daily_reset(core::WallTime now) const;

  // Introspection (metrics, tests).
  int capacity(RatePolicy policy) const;
  std::chrono::milliseconds window(RatePolicy policy) const;
  int in_use(RatePolicy policy) const;  // slots taken in the current window, in-flight ones included
  std::int64_t daily_used() const { return daily_used_; }
  bool enabled() const { return options_.enabled; }

 private:
  struct Bucket {
    int configured = 0;
    int capacity = 0;
    std::chrono::milliseconds window{0};
    std::deque<std::chrono::steady_clock::time_point> done;  // completion times, ascending
    int in_flight = 0;
    std::chrono::steady_clock::time_point blocked_until{};
    std::chrono::steady_clock::time_point next_background{};  // the earliest a background call may start
    int foreground_waiting = 0;                               // foreground calls waiting for a slot
  };

  Bucket& bucket(RatePolicy policy) { return policy == RatePolicy::search ? search_ : ten_secondly_; }
  const Bucket& bucket(RatePolicy policy) const {
    return policy == RatePolicy::search ? search_ : ten_secondly_;
  }
  void prune(Bucket& b, std::chrono::steady_clock::time_point now);
  // How long a call of `priority` must wait before it may take a slot of `b` (0: now).
  std::chrono::milliseconds slot_wait(const Bucket& b, std::chrono::steady_clock::time_point now,
                                      core::CallPriority priority) const;
  void roll_day();
  [[noreturn]] void throw_daily_exhausted() const;
  void release(RatePolicy policy);

  core::Clock& clock_;
  RateLimitOptions options_;
  Bucket ten_secondly_;
  Bucket search_;
  std::int64_t daily_used_ = 0;
  std::optional<std::int64_t> daily_remaining_;  // from headers, decremented per call
  core::WallTime day_ends_;
  std::optional<core::WallTime> daily_exhausted_until_;
  StoppableWait waits_;
  bool window_clamp_logged_ = false;  // the clamp is logged once, not on every response
};

}  // namespace leadsync::hubspot
