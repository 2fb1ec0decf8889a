#include "scheduler.hpp"

#include <gtest/gtest.h>

using namespace leadsync;
using namespace leadsync::daemon;
using namespace std::chrono_literals;
using Action = Decision::Action;

namespace {

SchedulerOptions opts() {
  SchedulerOptions o;
  o.interval = 60s;
  o.debounce = 500ms;
  o.initial_backoff = 1s;
  o.max_backoff = 60s;
  o.max_jitter = 5s;
  return o;
}

const SteadyTime t0 = SteadyTime() + 1000h;

}  // namespace

TEST(BackoffTest, DoublesUpToTheCapWithEqualJitter) {
  EXPECT_EQ(backoff_delay(1, 1s, 60s, 0.0), 500ms);
  EXPECT_EQ(backoff_delay(1, 1s, 60s, 1.0), 1s);
  EXPECT_EQ(backoff_delay(2, 1s, 60s, 1.0), 2s);
  EXPECT_EQ(backoff_delay(4, 1s, 60s, 1.0), 8s);
  EXPECT_EQ(backoff_delay(7, 1s, 60s, 1.0), 60s);   // 64 s capped
  EXPECT_EQ(backoff_delay(50, 1s, 60s, 0.0), 30s);  // no overflow, half the cap at least
  EXPECT_EQ(backoff_delay(3, 1s, 60s, 0.5), 3s);    // 4 s: 2 s + 0.5 * 2 s
  EXPECT_EQ(backoff_delay(0, 1s, 60s, 1.0), 1s);    // treated as the first failure
}

TEST(SchedulerTest, FirstCycleIsDueAtOnce) {
  Scheduler s(opts(), t0);
  auto d = s.next(t0);
  EXPECT_EQ(d.action, Action::cycle);
  EXPECT_EQ(d.kind, core::CycleKind::automatic);
}

TEST(SchedulerTest, IntervalIsReArmedWhenTheCycleCompletesPlusJitter) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::automatic);
  const auto end = t0 + 25s;  // a long cycle
  s.cycle_succeeded(core::CycleKind::automatic, end, 0.0);
  auto d = s.next(end);
  EXPECT_EQ(d.action, Action::wait);
  EXPECT_EQ(d.wake_at, end + 60s);
  s.cycle_succeeded(core::CycleKind::automatic, end, 1.0);
  EXPECT_EQ(s.next(end).wake_at, end + 65s);  // jitter at most min(interval / 10, 5 s)
  EXPECT_EQ(s.next(end + 65s).action, Action::cycle);
}

TEST(SchedulerTest, JitterIsAtMostATenthOfAShortInterval) {
  auto o = opts();
  o.interval = 10s;
  Scheduler s(o, t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 1.0);
  EXPECT_EQ(s.next(t0).wake_at, t0 + 11s);
}

TEST(SchedulerTest, LocalChangeIsPushedAfterTheDebounceAndABurstIsOnePush) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  s.local_change(t0 + 1s);
  s.local_change(t0 + 1s + 200ms);  // joins the burst: does not postpone it
  s.local_change(t0 + 1s + 499ms);
  auto d = s.next(t0 + 1s + 100ms);
  EXPECT_EQ(d.action, Action::wait);
  EXPECT_EQ(d.wake_at, t0 + 1s + 500ms);
  d = s.next(t0 + 1s + 500ms);
  EXPECT_EQ(d.action, Action::cycle);
  EXPECT_EQ(d.kind, core::CycleKind::push_only);
  s.cycle_started(core::CycleKind::push_only);
  s.cycle_succeeded(core::CycleKind::push_only, t0 + 2s, 0.0);
  d = s.next(t0 + 2s);
  EXPECT_EQ(d.action, Action::wait);
  EXPECT_EQ(d.wake_at, t0 + 60s);  // a push does not re-arm the interval
}

TEST(SchedulerTest, ChangesDuringACycleArePushedAfterIt) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::automatic);
  s.local_change(t0 + 1s);  // arrives while the automatic cycle runs
  s.cycle_succeeded(core::CycleKind::automatic, t0 + 3s, 0.0);
  auto d = s.next(t0 + 3s);
  EXPECT_EQ(d.action, Action::cycle);
  EXPECT_EQ(d.kind, core::CycleKind::push_only);
}

TEST(SchedulerTest, ACycleInProgressTakesAPushOnceItsDebounceRanOut) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::full);  // a long sweep
  EXPECT_FALSE(s.take_due_push(t0 + 1s)) << "nothing announced";
  s.local_change(t0 + 1s);
  EXPECT_FALSE(s.take_due_push(t0 + 1s + 499ms)) << "still gathering the burst";
  EXPECT_TRUE(s.take_due_push(t0 + 1s + 500ms));
  EXPECT_FALSE(s.take_due_push(t0 + 2s)) << "taken once";
  s.cycle_succeeded(core::CycleKind::full, t0 + 3s, 0.0);
  EXPECT_EQ(s.next(t0 + 3s).action, Action::wait) << "the sweep pushed it: no push-only cycle after it";
  s.local_change(t0 + 4s);  // a later change asks again
  EXPECT_EQ(s.next(t0 + 4s + 500ms).kind, core::CycleKind::push_only);
}

TEST(SchedulerTest, StoredEventsAreAppliedAtOnceWithoutTheDebounce) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  s.events_arrived(t0 + 1s);
  auto d = s.next(t0 + 1s);
  EXPECT_EQ(d.action, Action::cycle) << "no debounce for events";
  EXPECT_EQ(d.kind, core::CycleKind::events);
  s.cycle_started(d.kind);
  s.cycle_succeeded(d.kind, t0 + 2s, 0.0);
  d = s.next(t0 + 2s);
  EXPECT_EQ(d.action, Action::wait);
  EXPECT_EQ(d.wake_at, t0 + 60s) << "an events cycle does not re-arm the interval";

  // Events while a local change gathers its burst: one events cycle at once, which pushes it too.
  s.local_change(t0 + 3s);
  s.events_arrived(t0 + 3s + 100ms);
  d = s.next(t0 + 3s + 100ms);
  EXPECT_EQ(d.kind, core::CycleKind::events);
  s.cycle_started(d.kind);
  s.cycle_succeeded(d.kind, t0 + 4s, 0.0);
  EXPECT_EQ(s.next(t0 + 4s).action, Action::wait) << "the pending push was covered";
}

TEST(SchedulerTest, ACycleInProgressTakesStoredEventsAtOnce) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::full);
  s.events_arrived(t0 + 1s);
  EXPECT_TRUE(s.take_due_push(t0 + 1s));
  EXPECT_FALSE(s.take_due_push(t0 + 1s)) << "taken once";
  EXPECT_FALSE(s.events_due());
}

TEST(SchedulerTest, AnAutomaticCycleDueCoversAPendingPush) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  s.local_change(t0 + 59s + 800ms);
  auto d = s.next(t0 + 60s + 300ms);
  EXPECT_EQ(d.kind, core::CycleKind::automatic);
  s.cycle_started(d.kind);
  s.cycle_succeeded(d.kind, t0 + 61s, 0.0);
  EXPECT_EQ(s.next(t0 + 61s).action, Action::wait);
}

TEST(SchedulerTest, FailuresBackOffExponentiallyAndKeepWhatWasDue) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::automatic);
  EXPECT_EQ(s.cycle_failed(t0, 1.0), 1s);
  EXPECT_EQ(s.next(t0 + 500ms).action, Action::wait);
  EXPECT_EQ(s.next(t0 + 500ms).wake_at, t0 + 1s);
  auto d = s.next(t0 + 1s);
  EXPECT_EQ(d.action, Action::cycle);
  EXPECT_EQ(d.kind, core::CycleKind::automatic);
  s.cycle_started(d.kind);
  EXPECT_EQ(s.cycle_failed(t0 + 1s, 1.0), 2s);
  s.cycle_started(d.kind);
  EXPECT_EQ(s.cycle_failed(t0 + 3s, 1.0), 4s);
  EXPECT_EQ(s.consecutive_failures(), 3);
  s.cycle_started(d.kind);
  s.cycle_succeeded(d.kind, t0 + 8s, 0.0);
  EXPECT_EQ(s.consecutive_failures(), 0);
  EXPECT_EQ(s.next(t0 + 8s).wake_at, t0 + 68s);
}

TEST(SchedulerTest, AFailedPushIsRetriedAfterTheBackoff) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  s.local_change(t0 + 1s);
  s.cycle_started(core::CycleKind::push_only);
  s.cycle_failed(t0 + 2s, 1.0);
  EXPECT_EQ(s.next(t0 + 2s + 500ms).action, Action::wait);
  auto d = s.next(t0 + 3s);
  EXPECT_EQ(d.action, Action::cycle);
  EXPECT_EQ(d.kind, core::CycleKind::push_only);
}

TEST(SchedulerTest, ServerRequestedWaitWinsWhenLonger) {
  Scheduler s(opts(), t0);
  s.cycle_started(core::CycleKind::automatic);
  EXPECT_EQ(s.cycle_failed(t0, 1.0, 3h), 3h);  // daily budget exhausted until the reset
  EXPECT_EQ(s.next(t0 + 1h).wake_at, t0 + 3h);
  s.reset_backoff();  // a reload
  EXPECT_EQ(s.next(t0 + 1h).action, Action::cycle);
}

TEST(SchedulerTest, AServerRequestedWaitIsCutToADayAndAnHour) {
  Scheduler s(opts(), t0);
  EXPECT_EQ(s.cycle_failed(t0, 0.0, milliseconds(std::chrono::hours(24 * 365 * 30))), std::chrono::hours(25));
  EXPECT_EQ(s.retry_at(), t0 + std::chrono::hours(25));
  EXPECT_EQ(s.cycle_failed(t0, 0.0, milliseconds::max()), std::chrono::hours(25));
  EXPECT_EQ(s.cycle_failed(t0, 0.0, milliseconds(std::chrono::hours(20))), std::chrono::hours(20));
}

TEST(SchedulerTest, NewIntervalCountsFromTheLastCycle) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  auto o = opts();
  o.interval = 10s;
  s.set_options(o, t0 + 3s);
  EXPECT_EQ(s.next(t0 + 3s).wake_at, t0 + 10s);
  o.interval = 1s;
  s.set_options(o, t0 + 5s);
  EXPECT_EQ(s.next(t0 + 5s).action, Action::cycle);
}

TEST(SchedulerTest, DueNowWithFullAsksForAFullSweepOnce) {
  Scheduler s(opts(), t0);
  s.cycle_succeeded(core::CycleKind::automatic, t0, 0.0);
  s.due_now(t0 + 1s, true);
  auto d = s.next(t0 + 1s);
  EXPECT_EQ(d.kind, core::CycleKind::full);
  s.cycle_started(d.kind);
  s.cycle_succeeded(d.kind, t0 + 2s, 0.0);
  s.due_now(t0 + 3s);
  EXPECT_EQ(s.next(t0 + 3s).kind, core::CycleKind::automatic);
}
