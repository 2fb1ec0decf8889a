// Token-bucket math of the RateLimiter with a manual clock: exact waits, header following, daily budget.
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using std::chrono::hours;
using ::testing::ElementsAre;

RateLimitOptions limits(int per_10s, milliseconds margin = milliseconds(0)) {
  RateLimitOptions o;
  o.requests_per_10s = per_10s;
  o.safety_margin = margin;
  return o;
}

// Takes a slot and completes it `latency` later.
net::awaitable<void> call(RateLimiter& rl, ManualClock& clock, RatePolicy policy = RatePolicy::ten_secondly,
                          milliseconds latency = milliseconds(0)) {
  auto permit = co_await rl.acquire(policy);
  clock.advance(latency);
  permit.complete();
}

TEST(RateLimiterTest, AllowsCapacityThenWaitsForTheOldestCompletionToLeaveTheWindow) {
  ManualClock clock;
  RateLimiter rl(clock, limits(3));
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 3; ++i) co_await call(rl, clock, RatePolicy::ten_secondly, milliseconds(100));
    EXPECT_TRUE(clock.sleeps().empty());
    co_await call(rl, clock);  // first completion at t=100: free at 10,100; now is 300
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(9'800)));
}

TEST(RateLimiterTest, SlotIsHeldFromAcquireUntilWindowAfterCompletion) {
  ManualClock clock;
  RateLimiter rl(clock, limits(1));
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock, RatePolicy::ten_secondly, milliseconds(2'000));  // a slow request
    co_await call(rl, clock);
  }());
  // HubSpot may have counted the slow request as late as t=2,000: its slot frees at 12,000.
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(10'000)));
}

TEST(RateLimiterTest, SafetyMarginWidensTheWindow) {
  ManualClock clock;
  RateLimiter rl(clock, limits(1, milliseconds(50)));
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock);
    co_await call(rl, clock);
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(10'050)));
  EXPECT_EQ(rl.window(RatePolicy::ten_secondly), milliseconds(10'050));
}

TEST(RateLimiterTest, NoWindowEverHoldsMoreThanCapacity) {
  ManualClock clock;
  RateLimiter rl(clock, limits(190));
  std::vector<std::int64_t> starts;  // ms since start of each acquire grant
  const auto t0 = clock.steady_now();
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 1'000; ++i) {
      auto p = co_await rl.acquire(RatePolicy::ten_secondly);
      starts.push_back(std::chrono::duration_cast<milliseconds>(clock.steady_now() - t0).count());
      clock.advance(milliseconds(7));  // latency
      p.complete();
    }
  }());
  // Sliding check over grant times (a stricter measure than HubSpot's, which counts between send and
  // receive).
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[hi] - starts[lo] >= 10'000) ++lo;
    ASSERT_LE(hi - lo + 1, 190u) << "at request " << hi;
  }
  // And it uses the whole budget: each group of 190 starts as soon as the group before it has aged out
  // (first completion + 10 s), so request 999 (group 5, position 49) starts at 5 * 10,007 + 49 * 7 ms.
  EXPECT_EQ(starts.back(), 5 * 10'007 + 49 * 7);
}

// Background calls (the sweeps) are spaced evenly instead of filling the window in a burst and then
// waiting for most of it, so a push arriving meanwhile finds the next slot a fraction of a second away.
TEST(RateLimiterTest, BackgroundCallsArePacedEvenlyAndLeaveTheNextSlotToAPush) {
  ManualClock clock;
  RateLimiter rl(clock, limits(190));
  std::vector<std::int64_t> starts;
  const auto t0 = clock.steady_now();
  milliseconds push_waited{0};
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 400; ++i) {
      auto p = co_await rl.acquire(RatePolicy::ten_secondly, core::CallPriority::background);
      starts.push_back(std::chrono::duration_cast<milliseconds>(clock.steady_now() - t0).count());
      clock.advance(milliseconds(7));
      p.complete();
    }
    auto push = co_await rl.acquire(RatePolicy::ten_secondly, core::CallPriority::foreground);
    push_waited = push.waited();
  }());
  for (std::size_t i = 1; i < starts.size(); ++i)
    ASSERT_GE(starts[i] - starts[i - 1], 10'000 / 190) << "at request " << i;
  // The window still holds at most 190 of them, and the pacing costs no throughput: 400 calls take about
  // 400 / 190 windows (a burst would take 2 windows and 20 calls).
  std::size_t lo = 0;
  for (std::size_t hi = 0; hi < starts.size(); ++hi) {
    while (starts[hi] - starts[lo] >= 10'000) ++lo;
    ASSERT_LE(hi - lo + 1, 190u) << "at request " << hi;
  }
  EXPECT_LE(starts.back(), 400 * 10'000 / 190 + 100);
  EXPECT_LE(push_waited, milliseconds(10'000 / 190)) << "a push waits for one slot, not for the window";
}

TEST(RateLimiterTest, ForegroundCallsAreNotPaced) {
  ManualClock clock;
  RateLimiter rl(clock, limits(190));
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 190; ++i) co_await call(rl, clock);
  }());
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RateLimiterTest, SearchHasItsOwnPerSecondBucket) {
  ManualClock clock;
  RateLimitOptions o = limits(100);
  o.search_per_second = 5;
  RateLimiter rl(clock, o);
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 5; ++i) co_await call(rl, clock, RatePolicy::search);
    for (int i = 0; i < 20; ++i) co_await call(rl, clock);  // ten-secondly calls are not slowed by search
    EXPECT_TRUE(clock.sleeps().empty());
    co_await call(rl, clock, RatePolicy::search);
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(1'000)));
  EXPECT_EQ(rl.in_use(RatePolicy::search), 1);
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 20);
}

TEST(RateLimiterTest, InFlightRequestsHoldTheirSlots) {
  ManualClock clock;
  RateLimiter rl(clock, limits(2));
  run_sync([&]() -> net::awaitable<void> {
    auto a = co_await rl.acquire(RatePolicy::ten_secondly);
    EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 1);
    {
      auto b = co_await rl.acquire(RatePolicy::ten_secondly);
      EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 2);
    }  // destruction completes the permit
    a.complete();
    a.complete();  // idempotent
    EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 2);
  }());
}

TEST(RateLimiterTest, MaxHeaderLowersCapacityButNeverRaisesItAboveTheConfiguredOne) {
  ManualClock clock;
  RateLimiter rl(clock, limits(190));
  RateBudget b;
  b.ten_secondly_max = 100;
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.capacity(RatePolicy::ten_secondly), 100);
  b.ten_secondly_max = 250;
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.capacity(RatePolicy::ten_secondly), 190);
}

TEST(RateLimiterTest, IntervalHeaderSetsTheWindow) {
  ManualClock clock;
  RateLimiter rl(clock, limits(1, milliseconds(50)));
  RateBudget b;
  b.interval_ms = 1'000;
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.window(RatePolicy::ten_secondly), milliseconds(1'050));
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock);
    co_await call(rl, clock);
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(1'050)));
}

TEST(RateLimiterTest, RemainingBelowLocalCountSlowsDownForASharedApp) {
  ManualClock clock;
  RateLimiter rl(clock, limits(10));
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock);
    co_await call(rl, clock);
  }());
  // HubSpot counted 7 of 10 in the window; we know of 2: another integration used 4 or 5.
  RateBudget b;
  b.ten_secondly_max = 10;
  b.ten_secondly_remaining = 3;
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 6);  // 2 ours + 4 (one tolerated as a boundary race)
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 4; ++i) co_await call(rl, clock);
    EXPECT_TRUE(clock.sleeps().empty());
    co_await call(rl, clock);
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(10'000)));
}

TEST(RateLimiterTest, RemainingConsistentWithLocalCountChangesNothing) {
  ManualClock clock;
  RateLimiter rl(clock, limits(10));
  run_sync(call(rl, clock));
  RateBudget b;
  b.ten_secondly_max = 10;
  b.ten_secondly_remaining = 9;
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 1);
}

TEST(RateLimiterTest, ForeignUsageOnlyCountsBeyondTheHeadroomWeDoNotUse) {
  ManualClock clock;
  RateLimiter rl(clock, limits(100));
  RateBudget b;
  b.ten_secondly_max = 190;
  b.ten_secondly_remaining = 60;  // 130 used by others; we may still use 190 - 130 = 60 of our 100
  rl.observe(b, RatePolicy::ten_secondly);
  EXPECT_EQ(rl.capacity(RatePolicy::ten_secondly), 100);
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 39);  // 130 - 1 tolerated - 90 headroom
}

TEST(RateLimiterTest, SearchResponsesDoNotTouchTheTenSecondlyBucket) {
  ManualClock clock;
  RateLimiter rl(clock, limits(10));
  RateBudget b;
  b.ten_secondly_max = 5;
  b.ten_secondly_remaining = 0;
  rl.observe(b, RatePolicy::search);
  EXPECT_EQ(rl.capacity(RatePolicy::ten_secondly), 10);
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 0);
}

TEST(RateLimiterTest, LocalDailyBudgetStopsCallsUntilMidnightUtc) {
  ManualClock clock(core::from_epoch_ms(1'767'225'600'000 + 13 * 3'600'000));  // 2026-01-01T13:00:00Z
  RateLimitOptions o = limits(100);
  o.daily = 3;
  RateLimiter rl(clock, o);
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 3; ++i) co_await call(rl, clock);
  }());
  try {
    run_sync(call(rl, clock));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_EQ(e.details().policy, "DAILY");
    EXPECT_EQ(e.details().retry_after, hours(11));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("2026-01-02T00:00:00Z"));
  }
  ASSERT_TRUE(rl.daily_exhausted_until());
  EXPECT_EQ(core::to_epoch_ms(*rl.daily_exhausted_until()), 1'767'312'000'000);
  clock.advance(hours(11));
  EXPECT_FALSE(rl.daily_exhausted_until());
  EXPECT_NO_THROW(run_sync(call(rl, clock)));
  EXPECT_EQ(rl.daily_used(), 1);
}

TEST(RateLimiterTest, DailyRemainingHeaderCapsTheBudget) {
  ManualClock clock;
  RateLimiter rl(clock, limits(100));
  RateBudget b;
  b.daily_remaining = 2;
  rl.observe(b, RatePolicy::search);  // search responses do carry the daily headers
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock);
    co_await call(rl, clock, RatePolicy::search);
  }());
  EXPECT_THROW(run_sync(call(rl, clock)), core::Error);
  b.daily_remaining = 0;
  RateLimiter rl2(clock, limits(100));
  rl2.observe(b, RatePolicy::ten_secondly);
  EXPECT_TRUE(rl2.daily_exhausted_until());
}

TEST(RateLimiterTest, DailyResetFollowsTheConfiguredOffset) {
  ManualClock clock;  // 2026-01-01T00:00:00Z
  RateLimitOptions o = limits(100);
  o.daily_reset_utc_offset = std::chrono::minutes(-5 * 60);  // portal in UTC-5: midnight there is 05:00Z
  RateLimiter rl(clock, o);
  EXPECT_EQ(core::to_epoch_ms(rl.next_daily_reset(clock.now())), 1'767'225'600'000 + 5 * 3'600'000);
  rl.mark_daily_exhausted();
  EXPECT_EQ(core::to_epoch_ms(*rl.daily_exhausted_until()), 1'767'225'600'000 + 5 * 3'600'000);
  o.daily_reset_utc_offset = std::chrono::minutes(60);  // UTC+1: midnight there is 23:00Z
  RateLimiter east(clock, o);
  EXPECT_EQ(core::to_epoch_ms(east.next_daily_reset(clock.now())), 1'767'225'600'000 + 23 * 3'600'000);
}

TEST(RateLimiterTest, PauseBlocksTheBucket) {
  ManualClock clock;
  RateLimiter rl(clock, limits(100));
  rl.pause(RatePolicy::ten_secondly, milliseconds(3'000));
  run_sync([&]() -> net::awaitable<void> {
    co_await call(rl, clock, RatePolicy::search);  // other bucket unaffected
    clock.advance(milliseconds(1'000));
    co_await call(rl, clock);
  }());
  EXPECT_THAT(clock.sleeps(), ElementsAre(milliseconds(2'000)));
}

TEST(RateLimiterTest, TimeUntilSlotIsTheOldestEntrysExpiryOrTheWholeWindow) {
  ManualClock clock;
  RateLimiter rl(clock, limits(100, milliseconds(50)));
  EXPECT_EQ(rl.time_until_slot(RatePolicy::ten_secondly), milliseconds(10'000));
  run_sync(call(rl, clock));
  clock.advance(milliseconds(4'000));
  run_sync(call(rl, clock));
  EXPECT_EQ(rl.time_until_slot(RatePolicy::ten_secondly), milliseconds(6'050));
}

TEST(RateLimiterTest, DisabledNeverWaitsNorCounts) {
  ManualClock clock;
  RateLimitOptions o = limits(1);
  o.enabled = false;
  o.daily = 1;
  RateLimiter rl(clock, o);
  run_sync([&]() -> net::awaitable<void> {
    for (int i = 0; i < 1'000; ++i) co_await call(rl, clock);
  }());
  EXPECT_TRUE(clock.sleeps().empty());
  EXPECT_EQ(rl.in_use(RatePolicy::ten_secondly), 0);
}

TEST(RateLimiterTest, ParsesRateLimitHeadersCaseInsensitively) {
  auto b = parse_rate_budget({{"x-hubspot-ratelimit-max", "190"},
                              {"X-HubSpot-RateLimit-Remaining", "12"},
                              {"X-HUBSPOT-RATELIMIT-INTERVAL-MILLISECONDS", "10000"},
                              {"X-HubSpot-RateLimit-Daily", "625000"},
                              {"X-HubSpot-RateLimit-Daily-Remaining", " 5 "},
                              {"X-HubSpot-RateLimit-Secondly", "junk"}});
  EXPECT_EQ(b.ten_secondly_max, 190);
  EXPECT_EQ(b.ten_secondly_remaining, 12);
  EXPECT_EQ(b.interval_ms, 10'000);
  EXPECT_EQ(b.daily_max, 625'000);
  EXPECT_EQ(b.daily_remaining, 5);
  EXPECT_TRUE(parse_rate_budget({{"X-HubSpot-RateLimit-Max", "abc"}}).empty());
}

}  // namespace
}  // namespace leadsync::hubspot::test
