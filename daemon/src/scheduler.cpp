#include "scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace leadsync::daemon {

namespace {
// The longest wait a server's answer may impose between cycles: HubSpot's daily reset is at most a day away
// (plus an hour of slack for its time zone). Anything longer is not HubSpot's and would park the daemon.
constexpr milliseconds kMaxServerWait = std::chrono::hours(25);
}  // namespace

milliseconds backoff_delay(int failures, milliseconds initial, milliseconds cap, double random01) {
  if (failures < 1) failures = 1;
  milliseconds d = initial;
  for (int i = 1; i < failures && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  random01 = std::clamp(random01, 0.0, 1.0);
  return d / 2 + milliseconds(static_cast<std::int64_t>(static_cast<double>((d - d / 2).count()) * random01));
}

Scheduler::Scheduler(SchedulerOptions options, SteadyTime now)
    : options_(options), next_automatic_(now), last_automatic_end_(now) {}

void Scheduler::set_options(SchedulerOptions options, SteadyTime now) {
  const bool interval_changed = options.interval != options_.interval;
  options_ = options;
  // A new interval counts from the end of the last automatic cycle, not from the reload.
  if (interval_changed) next_automatic_ = std::max(now, last_automatic_end_ + options_.interval);
}

void Scheduler::local_change(SteadyTime now) {
  // The first change of a burst opens the window; later ones join it (never postpone: a steady stream of
  // edits must not starve the push).
  if (!push_due_) push_due_ = now + options_.debounce;
}

void Scheduler::events_arrived(SteadyTime now) {
  if (!events_due_) events_due_ = now;
}

bool Scheduler::take_due_push(SteadyTime now) {
  const bool push = push_due_ && now >= *push_due_;
  const bool events = events_due_ && now >= *events_due_;
  if (!push && !events) return false;
  // The cycle in progress drains the whole outbox: a push still inside its debounce window is covered too.
  push_due_.reset();
  events_due_.reset();
  return true;
}

void Scheduler::due_now(SteadyTime now, bool full) {
  next_automatic_ = std::min(next_automatic_, now);
  full_requested_ = full_requested_ || full;
}

Decision Scheduler::next(SteadyTime now) const {
  Decision d;
  if (retry_at_ && now < *retry_at_) {
    d.wake_at = *retry_at_;
    return d;
  }
  if (now >= next_automatic_) {
    d.action = Decision::Action::cycle;
    d.kind = full_requested_ ? core::CycleKind::full : core::CycleKind::automatic;
    return d;
  }
  if (push_due_ && now >= *push_due_) {
    d.action = Decision::Action::cycle;
    d.kind = core::CycleKind::push_only;
    return d;
  }
  if (events_due_ && now >= *events_due_) {
    d.action = Decision::Action::cycle;
    d.kind = core::CycleKind::events;
    return d;
  }
  d.wake_at = next_automatic_;
  if (push_due_) d.wake_at = std::min(d.wake_at, *push_due_);
  if (events_due_) d.wake_at = std::min(d.wake_at, *events_due_);
  return d;
}

void Scheduler::cycle_started(core::CycleKind kind) {
  // Whatever cycle starts now applies the inbox and pushes the outbox as they are: announced changes and
  // events are covered by it. Those announced while it runs set their due time again.
  push_due_.reset();
  events_due_.reset();
  (void)kind;
}

void Scheduler::cycle_succeeded(core::CycleKind kind, SteadyTime now, double random01) {
  failures_ = 0;
  retry_at_.reset();
  if (!core::drains_only(kind)) {
    full_requested_ = false;
    last_automatic_end_ = now;
    const auto max_jitter = std::min(options_.interval / 10, options_.max_jitter);
    next_automatic_ = now + options_.interval +
                      milliseconds(static_cast<std::int64_t>(static_cast<double>(max_jitter.count()) *
                                                             std::clamp(random01, 0.0, 1.0)));
  }
}

void Scheduler::reset_backoff() {
  retry_at_.reset();
  failures_ = 0;
}

milliseconds Scheduler::cycle_failed(SteadyTime now, double random01,
                                     std::optional<milliseconds> retry_after) {
  ++failures_;
  auto wait = backoff_delay(failures_, options_.initial_backoff, options_.max_backoff, random01);
  if (retry_after && *retry_after > wait) {
    wait = std::min(*retry_after, kMaxServerWait);
    if (*retry_after > kMaxServerWait)
      spdlog::warn("the server asked to wait {} s before the next cycle; waiting {} s",
                   retry_after->count() / 1000, kMaxServerWait.count() / 1000);
  }
  retry_at_ = now + wait;
  // What failed stays due: an automatic cycle is still due (next_automatic_ is in the past), and a push is
  // retried at the same time.
  if (!push_due_ && now < next_automatic_) push_due_ = now;
  return wait;
}

}  // namespace leadsync::daemon
