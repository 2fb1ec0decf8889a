#pragma once
// Scheduler: the daemon's timing decisions as a pure state machine over explicit time points (unit-tested
// without sleeping). The daemon asks next(now) what to do, runs that cycle (cycles never overlap: there is
// one caller), and reports back with cycle_succeeded / cycle_failed.
//   - automatic cycle (incremental pull, or a full sweep when the engine finds one due) every `interval`,
//     re-armed when a cycle completes, plus a small jitter so several daemons do not fire in lockstep;
//   - a local change (LISTEN wake-up) asks for a push_only cycle `debounce` later; changes arriving within
//     that window join the same push (a burst becomes one batch); an automatic cycle due by then covers it;
//   - webhook events stored in the inbox ask for an `events` cycle at once: HubSpot already batched them,
//     and waiting would only add latency (that cycle pushes the outbox too, covering a pending push);
//   - a failed cycle backs off: capped exponential (initial * 2^(n-1), at most `max_backoff`, equal
//     jitter), or the server-requested wait when longer (HubSpot's daily budget reset); what was due stays
//     due, so nothing is skipped.
// Thread-safety: none; one owner (the event loop).
#include <chrono>
#include <optional>

#include "leadsync/core/engine.hpp"

namespace leadsync::daemon {

using SteadyTime = std::chrono::steady_clock::time_point;
using std::chrono::milliseconds;

struct SchedulerOptions {
  milliseconds interval{60'000};
  milliseconds debounce{500};
  milliseconds initial_backoff{1'000};
  milliseconds max_backoff{60'000};
  milliseconds max_jitter{5'000};  // the interval jitter is random(0, min(interval / 10, max_jitter))
};

struct Decision {
  enum class Action { wait, cycle };
  Action action = Action::wait;
  core::CycleKind kind = core::CycleKind::automatic;  // when action == cycle
  SteadyTime wake_at{};                               // when action == wait: sleep until then (or an event)
};

// Capped exponential backoff with equal jitter: d = min(cap, initial * 2^(failures-1)); d/2 + random01*d/2.
milliseconds backoff_delay(int failures, milliseconds initial, milliseconds cap, double random01);

class Scheduler {
 public:
  Scheduler(SchedulerOptions options, SteadyTime now);

  void set_options(SchedulerOptions options, SteadyTime now);
  const SchedulerOptions& options() const { return options_; }

  // A local change was announced (NOTIFY).
  void local_change(SteadyTime now);
  // Webhook events were stored in the inbox (NOTIFY on the inbox channel).
  void events_arrived(SteadyTime now);
  // Whether a push or events are due now, for a cycle in progress to take them (a sweep between two
  // batches); if so they count as done, as if a cycle had started: later ones ask for another.
  bool take_due_push(SteadyTime now);
  // Run an automatic cycle as soon as possible (start-up, taking over as leader, --full).
  void due_now(SteadyTime now, bool full = false);

  Decision next(SteadyTime now) const;

  // `random01` in [0, 1) for the jitter.
  void cycle_started(core::CycleKind kind);
  void cycle_succeeded(core::CycleKind kind, SteadyTime now, double random01);
  // retry_after: a wait the server asked for (e.g. until the daily budget resets). Returns the backoff.
  milliseconds cycle_failed(SteadyTime now, double random01,
                            std::optional<milliseconds> retry_after = std::nullopt);

  // Forget the backoff (a reload may have fixed the cause): what is due runs at once.
  void reset_backoff();

  int consecutive_failures() const { return failures_; }
  std::optional<SteadyTime> retry_at() const { return retry_at_; }
  SteadyTime next_automatic() const { return next_automatic_; }
  std::optional<SteadyTime> push_due() const { return push_due_; }
  std::optional<SteadyTime> events_due() const { return events_due_; }

 private:
  SchedulerOptions options_;
  SteadyTime next_automatic_;
  SteadyTime last_automatic_end_;
  std::optional<SteadyTime> push_due_;
  std::optional<SteadyTime> events_due_;
  std::optional<SteadyTime> retry_at_;
  bool full_requested_ = false;
  int failures_ = 0;
};

}  // namespace leadsync::daemon
