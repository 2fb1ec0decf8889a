#pragma once
// SyncEngine: one sync cycle = pull (incremental search since the watermark, or a full list sweep with
// delete detection) -> reconcile and apply locally (page by page, one transaction each) -> maintenance sweep
// when due (associations via v4 batch read, archived leads) -> push (drain the outbox, coalesced per lead,
// batched) -> one leadsync.runs row. --dry-run runs the same code, rolls back every local transaction and
// sends no write to HubSpot.
//
// Throws core::Error when the cycle cannot finish (fatal: bad credentials, missing schema; transient:
// HubSpot or PostgreSQL unreachable after retries); the run is recorded as failed first. Per-record
// failures do not throw: they are counted and the run status is "partial".
// Thread-safety: one cycle at a time; request_stop() may be called from any thread and is honoured
// between batches, never inside a transaction.
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/events.hpp"
#include "leadsync/core/mapping.hpp"
#include "leadsync/core/ports.hpp"

namespace leadsync::core {

struct EngineOptions {
  SyncMapping mapping;
  SyncPolicy policy;
  Millis search_lookback{60'000};
  Millis full_sweep_interval{86'400'000};
  Millis association_sweep_interval{3'600'000};
  std::size_t batch_size = 100;       // leads per HubSpot write batch (<= 100)
  int max_push_attempts = 10;         // transient failures before a change is marked FAILED
  Millis push_retry_initial{15'000};  // backoff between attempts of one change: initial * 2^(n-1), capped
  Millis push_retry_max{3'600'000};
  // Webhooks on: every cycle (a push-only one too) first applies the events waiting in the inbox.
  bool apply_events = false;
  Millis event_retention{7 * 86'400'000LL};  // applied events are kept this long, then pruned
  // With apply_events, a change the search finds that is older than this and still news (no event brought
  // it) counts as missed by the webhooks (CycleReport::events_missed). Events arrive within seconds; the
  // margin keeps a change whose event is still in flight from counting.
  Millis event_grace{120'000};
};

enum class CycleKind {
  automatic,  // incremental, or a full sweep when none ran yet / one is due / one was requested
  full,       // full sweep now (--full)
  push_only,  // drain the outbox only (a local change woke the daemon)
  events,     // apply the webhook events waiting in the inbox, then drain the outbox (events woke the daemon)
};

// Cycles that read nothing from HubSpot on their own (no search, no sweep).
constexpr bool drains_only(CycleKind kind) noexcept {
  return kind == CycleKind::push_only || kind == CycleKind::events;
}

struct CycleRequest {
  CycleKind kind = CycleKind::automatic;
  bool dry_run = false;
};

struct DryRunPlan {
  std::vector<PullPlan> pull;                       // plans that write, conflict or skip
  std::vector<std::pair<PushItem, PushPlan>> push;  // every pending push and what it would send
  std::vector<std::string> remote_deletes;          // leads gone from HubSpot
};

struct CycleReport {
  RunRecord record;
  bool full_sweep = false;
  bool maintenance_sweep = false;
  std::optional<WallTime> watermark;  // after the cycle
  std::optional<DryRunPlan> dry_run;
  std::int64_t events_applied = 0;   // webhook events taken from the inbox (EngineOptions::apply_events)
  std::int64_t events_needless = 0;  // of which needed no read (core/events.hpp)
  std::int64_t events_missed = 0;    // leads the search found changed that no event had announced
  std::int64_t sweep_yields = 0;     // times a sweep stopped between batches to let waiting work go first
  std::int64_t skipped_bad_id = 0;   // leads left out because their id is not a record id (LeadsRemote)
};

struct Progress {
  std::string phase;  // "full sweep", "search", "push", ...
  std::int64_t done = 0;
  std::optional<std::int64_t> total;
};

// State keys in leadsync.sync_state (per scope).
inline constexpr const char* kStateWatermark = "watermark";                     // epoch ms
inline constexpr const char* kStateLastFullSweep = "last_full_sweep";           // epoch ms
inline constexpr const char* kStateLastMaintenance = "last_maintenance_sweep";  // epoch ms
inline constexpr const char* kStateFullSweepRequired = "full_sweep_required";   // "1" when a backfill is due
inline constexpr const char* kStateSweepId = "sweep.id";                        // the full sweep in progress
// Where a full sweep resumes: the start of its first batch of pages not applied.
inline constexpr const char* kStateSweepCursor = "sweep.cursor";
inline constexpr const char* kStateSweepStarted = "sweep.started";  // epoch ms

// How far ahead of this machine's clock a lead's updatedAt may be before the pull refuses it (a record error,
// read again next cycle): beyond it the clocks disagree, and such a time taken as the base would hide every
// later change of the lead as search-index lag.
inline constexpr Millis kMaxRemoteClockSkew{5 * 60'000};

class SyncEngine {
 public:
  SyncEngine(LeadStore& store, LeadsRemote& remote, Clock& clock, net::any_io_executor store_executor,
             EngineOptions options);

  net::awaitable<CycleReport> run_cycle(CycleRequest request);

  void request_stop() noexcept { stop_.store(true); }
  void clear_stop() noexcept { stop_.store(false); }
  bool stop_requested() const noexcept { return stop_.load(); }
  void set_progress_callback(std::function<void(const Progress&)> cb) { progress_ = std::move(cb); }
  // Asked between the batches of a background sweep (full and association sweeps): true when local changes
  // or webhook events are waiting. The sweep then applies the events and pushes the outbox before it reads
  // on, so that a sweep of minutes does not hold up an edit. Without a check a sweep never yields (a
  // one-off run pushes at its end anyway). Called on the thread that runs the cycle.
  void set_yield_check(std::function<bool()> check) { yield_check_ = std::move(check); }
  const EngineOptions& options() const noexcept { return options_; }
  // The sweep intervals the budget plan chose (core/budget_plan.hpp). Call between cycles, on the thread
  // that runs them.
  void set_sweep_intervals(Millis full_sweep, Millis association_sweep) noexcept {
    options_.full_sweep_interval = full_sweep;
    options_.association_sweep_interval = association_sweep;
  }

 private:
  struct Cycle;
  // The cycle (engine.cpp).
  net::awaitable<void> choose_sweeps(Cycle& c);
  net::awaitable<void> run_phases(Cycle& c);
  net::awaitable<std::optional<WallTime>> load_time_state(const char* key);
  net::awaitable<void> save_time_state(Cycle& c, const char* key, WallTime t);
  void report_progress(const Progress& p) const;
  // From now on the cycle's API calls count for `a`; those made since the last switch go to the previous one.
  void enter(Cycle& c, ApiActivity a);
  // Whether a sweep should stop between two batches for waiting work (set_yield_check), and that work:
  // the webhook events, then the outbox, with the sweep's activity restored afterwards.
  bool yield_wanted(const Cycle& c) const;
  net::awaitable<void> yield_to_waiting_work(Cycle& c);

  // Pulling (pull.cpp).
  struct SweepStart {
    std::int64_t id = 0;
    WallTime started_at{};
    std::optional<std::string> cursor;  // set when resuming: the first batch not applied
  };
  // Stops a paging that does not advance (a cursor seen before) with a transient error.
  class CursorGuard {
   public:
    explicit CursorGuard(std::string what) : what_(std::move(what)) {}
    void next(const std::optional<std::string>& requested, const std::optional<std::string>& returned);

   private:
    std::string what_;
    std::set<std::string> seen_;
  };
  net::awaitable<void> pull_full(Cycle& c);
  net::awaitable<SweepStart> begin_sweep(Cycle& c);
  // Reads and applies every list page; false when stopped before the last one.
  net::awaitable<bool> sweep_pages(Cycle& c, const SweepStart& sweep, std::optional<std::int64_t> total,
                                   std::int64_t& done);
  // Up to kSweepPagesPerBatch list pages from `cursor`, one after the other, as one page.
  net::awaitable<RemotePage> list_batch(std::optional<std::string> cursor, CursorGuard& cursors);
  net::awaitable<void> pull_incremental(Cycle& c);
  net::awaitable<void> reread_refused(Cycle& c);
  net::awaitable<void> maintenance_sweep(Cycle& c);
  net::awaitable<bool> association_sweep(Cycle& c);  // false when stopped
  net::awaitable<void> confirm_remote_deletes(Cycle& c, std::int64_t sweep_id);
  net::awaitable<void> apply_remote_deletes(Cycle& c, std::vector<std::string> ids);
  // `sweep_cursor`: a full sweep's cursor of this page, recorded in the page's transaction (every page
  // before it is applied).
  net::awaitable<void> process_pull_page(Cycle& c, std::vector<RemoteLead> leads,
                                         std::optional<std::int64_t> sweep_id,
                                         std::optional<std::string> sweep_cursor = std::nullopt);
  std::vector<RemoteLead> refuse_future_leads(Cycle& c, std::vector<RemoteLead> leads);
  void note_missed_event(Cycle& c, const std::string& hubspot_id,
                         const std::map<std::string, WallTime>& changed_at);
  net::awaitable<PullApplyResult> apply_pull_page(std::vector<RemoteLead>& leads, PullApplyOptions opts);

  // Webhook events (events_apply.cpp).
  net::awaitable<void> apply_events(Cycle& c);
  net::awaitable<void> apply_event_plan(Cycle& c, const EventPlan& plan, const std::set<std::string>& known);
  net::awaitable<void> prune_events(Cycle& c);

  // Pushing (push_batch.cpp).
  net::awaitable<void> push_all(Cycle& c);
  net::awaitable<void> push_batch(Cycle& c, std::vector<PushItem> items);

  LeadStore& store_;
  LeadsRemote& remote_;
  Clock& clock_;
  net::any_io_executor store_executor_;
  EngineOptions options_;
  std::atomic<bool> stop_{false};
  std::function<void(const Progress&)> progress_;
  std::function<bool()> yield_check_;
};

}  // namespace leadsync::core
