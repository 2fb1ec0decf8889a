// Pulling: the full list sweep (with delete detection), the incremental search, the maintenance sweep, and
// the application of each page of remote leads to the store.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <map>
#include <set>

#include "engine_cycle.hpp"
#include "leadsync/core/offload.hpp"
#include "leadsync/core/values.hpp"

namespace leadsync::core {

using engine_detail::save_pull_retry;
using namespace net::experimental::awaitable_operators;

namespace {

constexpr std::size_t kDeleteCheckChunk = 100;   // batch read size for confirming deletes
constexpr std::size_t kAssociationChunk = 1000;  // v4 batch association read limit
constexpr std::size_t kReadChunk = 100;          // batch read limit
constexpr int kSweepPagesPerBatch = 8;           // list pages a full sweep applies together (pull_full)
// Leads PostgreSQL refused to write (comma-separated hubspot ids), read again every cycle until applied; past
// this many, only the full sweep retries the rest.
constexpr const char* kStatePullRetry = "pull_retry";
constexpr std::size_t kMaxPullRetries = 1000;

std::vector<std::string> split_ids(const std::optional<std::string>& s) {
  std::vector<std::string> out;
  if (!s) return out;
  std::size_t pos = 0;
  while (pos < s->size()) {
    auto end = s->find(',', pos);
    if (end == std::string::npos) end = s->size();
    if (end > pos) out.push_back(s->substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

bool interesting_for_dry_run(const PullPlan& p) {
  return p.writes_locally() || !p.conflicts.empty() || p.action == PullAction::skip || p.enqueue_push;
}

}  // namespace

net::awaitable<void> engine_detail::save_pull_retry(LeadStore& store, const net::any_io_executor& executor,
                                                    std::set<std::string> ids, bool merge) {
  const auto stored = co_await run_blocking(executor, [&] { return store.load_state(kStatePullRetry); });
  if (merge) {
    auto old = split_ids(stored);
    ids.insert(old.begin(), old.end());
  }
  if (ids.size() > kMaxPullRetries)
    spdlog::warn(
        "{} leads could not be written locally; the first {} are read again every cycle, all of them by "
        "the next full sweep",
        ids.size(), kMaxPullRetries);
  std::string value;
  for (const auto& id : ids) value += (value.empty() ? "" : ",") + id;
  if (value == stored.value_or("")) co_return;
  co_await run_blocking(executor, [&] { store.save_state(kStatePullRetry, value); });
}

namespace {

void log_pull_plan(const PullPlan& plan) {
  // Every skip is worth a line: a lead skipped cycle after cycle (say, its base from a wrong clock makes
  // every version look older) is otherwise visible only as a count.
  if (plan.action == PullAction::skip && plan.skip != SkipReason::none)
    spdlog::warn("lead {}: not applied ({}): {}", plan.hubspot_id, to_string(plan.skip), plan.skip_reason);
  else if (plan.action == PullAction::skip)
    spdlog::warn("lead {}: not applied: {}", plan.hubspot_id, plan.skip_reason);
  for (const auto& p : plan.stale_own_writes)
    spdlog::warn(
        "lead {}: HubSpot's {} holds a value from an earlier push of leadsync's whose answer never came, "
        "landed after a newer push; not taken as a HubSpot change: the row's value goes out again",
        plan.hubspot_id, p);
  for (const auto& conflict : plan.conflicts)
    spdlog::info("conflict on lead {} property {}: local={} remote={} -> {}", plan.hubspot_id,
                 conflict.property, conflict.local.value_or("<empty>"), conflict.remote.value_or("<empty>"),
                 conflict.winner ? to_string(*conflict.winner) : "manual (untouched)");
}

}  // namespace

// ---- one page ---------------------------------------------------------------------------------------

std::vector<RemoteLead> SyncEngine::refuse_future_leads(Cycle& c, std::vector<RemoteLead> leads) {
  // A lead's updatedAt becomes its base's remote_updated_at, and every later version older than that base
  // is taken for search-index lag and skipped: one timestamp from a wrong clock would hide every change of
  // the lead until that time. Such a lead is left out like a record error and read again next cycle.
  const WallTime limit = clock_.now() + kMaxRemoteClockSkew;
  std::vector<RemoteLead> accepted;
  accepted.reserve(leads.size());
  for (auto& lead : leads) {
    if (!lead.updated_at || *lead.updated_at <= limit) {
      accepted.push_back(std::move(lead));
      continue;
    }
    spdlog::warn(
        "lead {}: HubSpot reports it modified at {}, more than {} s ahead of this machine's clock ({}): not "
        "applied (taken as its base, it would hide every later change); read again next cycle",
        lead.id, format_timestamp(*lead.updated_at),
        std::chrono::duration_cast<std::chrono::seconds>(kMaxRemoteClockSkew).count(),
        format_timestamp(clock_.now()));
    ++c.counts().failed;
    c.pull_failed.insert(lead.id);
  }
  return accepted;
}

net::awaitable<PullApplyResult> SyncEngine::apply_pull_page(std::vector<RemoteLead>& leads,
                                                            PullApplyOptions opts) {
  const auto& mapping = options_.mapping;
  const auto& policy = options_.policy;
  PullPlanner planner = [&mapping, &policy](const RemoteLead& r, const PullContext& ctx) {
    return plan_pull(mapping, policy, r, ctx);
  };
  // newest_wins needs HubSpot's per-property timestamps, and telling leadsync's own late write from anyone
  // else's needs the property's history (PullPlan::needs_history); list and search return neither. Both are
  // rare, so the page is applied optimistically: a part of it holding such a lead writes nothing, those leads
  // are read again with propertiesWithHistory, and the deferred leads applied once more.
  const bool newest_wins = policy.conflict_policy == ConflictPolicy::newest_wins;
  opts.needs_more = [newest_wins](const RemoteLead& r, const PullPlan& plan) {
    if (!r.history.empty()) return false;
    return plan.needs_history || (newest_wins && r.changed_at.empty() && !plan.conflicts.empty());
  };
  auto result =
      co_await run_blocking(store_executor_, [&] { return store_.apply_pull(leads, planner, opts); });
  if (result.needs_more_ids.empty()) co_return result;

  std::vector<RemoteLead> again;
  for (auto i : result.deferred) again.push_back(std::move(leads[i]));
  auto read = co_await remote_.read(result.needs_more_ids, /*with_history=*/true);
  std::map<std::string, RemoteLead*> by_id;
  for (auto& l : again) by_id[l.id] = &l;
  for (auto& h : read.found)
    if (auto it = by_id.find(h.id); it != by_id.end()) {
      it->second->changed_at = std::move(h.changed_at);
      it->second->history = std::move(h.history);
    }
  opts.needs_more = nullptr;  // a lead HubSpot returned no history for is decided on its updatedAt
  auto rest = co_await run_blocking(store_executor_, [&] { return store_.apply_pull(again, planner, opts); });
  for (auto& plan : rest.plans) result.plans.push_back(std::move(plan));
  for (auto& f : rest.failed) result.failed.push_back(std::move(f));
  co_return result;
}

net::awaitable<void> SyncEngine::process_pull_page(Cycle& c, std::vector<RemoteLead> leads,
                                                   std::optional<std::int64_t> sweep_id,
                                                   std::optional<std::string> sweep_cursor) {
  if (leads.empty()) co_return;
  auto& n = c.counts();
  const auto pulled = static_cast<std::int64_t>(leads.size());
  leads = refuse_future_leads(c, std::move(leads));
  PullApplyOptions opts{.dry_run = c.dry_run(), .sweep_id = sweep_id};
  if (sweep_cursor && !c.dry_run()) opts.save_state.emplace(kStateSweepCursor, std::move(*sweep_cursor));
  if (leads.empty()) {
    // Every lead of the page refused: the sweep's cursor is recorded all the same (the page is done).
    if (opts.save_state)
      co_await run_blocking(store_executor_,
                            [&] { store_.save_state(opts.save_state->first, opts.save_state->second); });
    n.pulled += pulled;
    co_return;
  }
  std::map<std::string, WallTime> changed_at;  // for the missed-event check
  if (c.missed_before)
    for (const auto& l : leads)
      if (l.updated_at) changed_at[l.id] = *l.updated_at;
  const auto apply_start = clock_.steady_now();
  auto result = co_await apply_pull_page(leads, std::move(opts));
  spdlog::debug(
      "applied {} remote leads locally in {} ms", leads.size(),
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - apply_start).count());

  n.pulled += pulled;
  n.failed += static_cast<std::int64_t>(result.failed.size());
  for (const auto& f : result.failed) c.pull_failed.insert(f.first);
  for (auto& plan : result.plans) {
    if (plan.action == PullAction::create_local) ++n.created_local;
    if (plan.action == PullAction::update_local) ++n.updated_local;
    if (plan.action == PullAction::skip) ++n.skipped;
    if (plan.echo && !sweep_id) ++n.echoes_suppressed;  // a sweep re-reads everything: not echoes
    n.conflicts += static_cast<std::int64_t>(plan.conflicts.size());
    if (c.missed_before && plan.writes_locally()) note_missed_event(c, plan.hubspot_id, changed_at);
    log_pull_plan(plan);
    if (c.report.dry_run && interesting_for_dry_run(plan)) c.report.dry_run->pull.push_back(std::move(plan));
  }
}

void SyncEngine::note_missed_event(Cycle& c, const std::string& hubspot_id,
                                   const std::map<std::string, WallTime>& changed_at) {
  // Every announced change was applied at the start of this cycle (apply_events), so a change this old that
  // the search still finds new never came as an event: the webhook path is broken or lossy.
  auto it = changed_at.find(hubspot_id);
  if (it == changed_at.end() || it->second >= *c.missed_before) return;
  ++c.report.events_missed;
  spdlog::warn(
      "lead {}: changed in HubSpot at {} but no webhook event announced it; found by the safety poll (check "
      "the app's webhook subscriptions and delivery: leadsync_webhook_requests_total)",
      hubspot_id, format_timestamp(it->second));
}

// ---- full sweep -------------------------------------------------------------------------------------

net::awaitable<SyncEngine::SweepStart> SyncEngine::begin_sweep(Cycle& c) {
  // A sweep interrupted by a stop or a crash resumes from its last committed page: the seen-set of the
  // earlier pages is in the database under the same sweep id.
  auto saved_id = co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateSweepId); });
  auto saved_cursor =
      co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateSweepCursor); });
  auto saved_start = co_await load_time_state(kStateSweepStarted);
  const bool resume = saved_id && !saved_id->empty() && saved_cursor && !saved_cursor->empty() &&
                      saved_start && clock_.now() - *saved_start < options_.full_sweep_interval;
  SweepStart s;
  s.started_at = resume ? *saved_start : clock_.now();
  s.id = resume ? std::stoll(*saved_id) : to_epoch_ms(s.started_at);
  if (resume) s.cursor = saved_cursor;
  if (!c.dry_run() && !resume) {
    co_await run_blocking(store_executor_, [&] {
      store_.save_state(kStateSweepId, std::to_string(s.id));
      store_.save_state(kStateSweepCursor, "");
    });
    co_await save_time_state(c, kStateSweepStarted, s.started_at);
  }
  co_return s;
}

net::awaitable<void> SyncEngine::pull_full(Cycle& c) {
  const SweepStart sweep = co_await begin_sweep(c);
  std::optional<std::int64_t> total;
  try {
    total = co_await remote_.count_leads();
  } catch (const Error& e) {
    if (e.is_fatal()) throw;
    spdlog::debug("lead count unavailable: {}", e.what());
  }
  spdlog::info("full sweep {}{}", sweep.cursor ? "resumed after " + *sweep.cursor : std::string("started"),
               total ? " (" + std::to_string(*total) + " leads in HubSpot)" : "");

  std::int64_t done = 0;
  const bool complete = co_await sweep_pages(c, sweep, total, done);
  if (!complete) {
    if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/true);
    spdlog::info("full sweep paused after {} leads (stop requested); the next cycle resumes it", done);
    co_return;
  }
  // The sweep read every lead again: its failures are the ones left.
  if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/false);
  // Only a complete sweep can say which leads are missing.
  co_await confirm_remote_deletes(c, sweep.id);
  if (stop_requested()) co_return;
  if (!c.dry_run()) {
    co_await run_blocking(store_executor_, [&] {
      store_.end_sweep(sweep.id);
      store_.save_state(kStateFullSweepRequired, "0");
      store_.save_state(kStateSweepId, "");
      store_.save_state(kStateSweepCursor, "");
    });
  }
  // Everything modified before the sweep started has been seen; later changes are found by search.
  co_await save_time_state(c, kStateWatermark, sweep.started_at);
  co_await save_time_state(c, kStateLastFullSweep, sweep.started_at);
  co_await save_time_state(c, kStateLastMaintenance, sweep.started_at);
  spdlog::info("full sweep done: {} leads{}", done,
               c.report.sweep_yields == 0 ? std::string()
                                          : " (paused " + std::to_string(c.report.sweep_yields) +
                                                " time(s) for local changes or events)");
}

net::awaitable<bool> SyncEngine::sweep_pages(Cycle& c, const SweepStart& sweep,
                                             std::optional<std::int64_t> total, std::int64_t& done) {
  // The sweep reads eight list pages at a time and applies them together as two halves of four pages, each
  // half in its own transaction on its own connection (PgStore::apply_pull); the next eight pages are fetched
  // meanwhile. Every transaction pays fixed costs (nine round trips, executor start-up of each statement): at
  // one page per half, those were about a tenth of an import's time (A/B, 100k leads: 2 pages per batch
  // ~24,900 leads/s, 4 pages ~26,100, 8 pages ~26,900, 16 pages no better). 800 leads in memory at a time.
  // The saved cursor is the start of the first batch not yet applied. Each batch's transaction records its
  // own start (everything before it is applied), so a crash redoes at most that batch (which then meets its
  // own rows and changes nothing); a separate transaction per page to record the next cursor cost a tenth of
  // an import's time. A fresh sweep's first batch has nothing to record: the cursor was reset in begin_sweep.
  // Waiting pushes and events go first (yield_to_waiting_work): the batch in hand is applied without fetching
  // the next one, the work is done, and the next batch is read after it.
  CursorGuard cursors("the full sweep's lead list");
  std::optional<std::string> batch_cursor = sweep.cursor;
  RemotePage batch = co_await list_batch(sweep.cursor, cursors);
  for (;;) {
    auto leads = std::move(batch.leads);
    auto next_cursor = batch.next_cursor;
    const auto n = static_cast<std::int64_t>(leads.size());
    const bool yield = next_cursor && yield_wanted(c);
    if (next_cursor && !stop_requested() && !yield) {
      // Fetch the next batch while this one is written.
      const auto batch_start = clock_.steady_now();
      batch = co_await (list_batch(next_cursor, cursors) &&
                        process_pull_page(c, std::move(leads), sweep.id, std::move(batch_cursor)));
      spdlog::debug(
          "{} leads fetched and applied in {} ms", n,
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - batch_start).count());
    } else {
      co_await process_pull_page(c, std::move(leads), sweep.id, std::move(batch_cursor));
    }
    done += n;
    report_progress({"full sweep", done, total});
    if (!next_cursor) co_return true;
    batch_cursor = *next_cursor;
    if (yield) co_await yield_to_waiting_work(c);
    if (stop_requested()) {
      // No next batch's transaction will record it: this batch is applied, the next cycle resumes after it.
      if (!c.dry_run())
        co_await run_blocking(store_executor_, [&] { store_.save_state(kStateSweepCursor, *batch_cursor); });
      co_return false;
    }
    if (yield) batch = co_await list_batch(next_cursor, cursors);
  }
}

void SyncEngine::CursorGuard::next(const std::optional<std::string>& requested,
                                   const std::optional<std::string>& returned) {
  // HubSpot's cursor is opaque; one that comes back again (or does not move) would page through the same
  // leads forever, spending the daily API budget. A sweep never sees a cursor twice, so any repeat stops it.
  if (requested) seen_.insert(*requested);
  if (!returned) return;
  if (seen_.contains(*returned))
    throw transient_error("HubSpot returned the paging cursor \"" + *returned + "\" of " + what_ +
                          " a second time: the paging does not advance; stopped rather than read the same "
                          "pages until the daily API budget is gone");
}

net::awaitable<RemotePage> SyncEngine::list_batch(std::optional<std::string> cursor, CursorGuard& cursors) {
  RemotePage batch = co_await remote_.list_page(cursor, false);
  cursors.next(cursor, batch.next_cursor);
  for (int pages = 1; pages < kSweepPagesPerBatch && batch.next_cursor && !stop_requested(); ++pages) {
    auto more = co_await remote_.list_page(batch.next_cursor, false);
    cursors.next(batch.next_cursor, more.next_cursor);
    for (auto& lead : more.leads) batch.leads.push_back(std::move(lead));
    batch.next_cursor = std::move(more.next_cursor);
  }
  co_return batch;
}

net::awaitable<void> SyncEngine::confirm_remote_deletes(Cycle& c, std::int64_t sweep_id) {
  std::optional<std::string> after;
  for (;;) {
    auto ids = co_await run_blocking(
        store_executor_, [&] { return store_.unseen_by_sweep(sweep_id, after, kDeleteCheckChunk); });
    if (ids.empty()) break;
    after = ids.back();
    // Missing from a complete sweep is not proof: confirm with a batch read before deleting anything.
    spdlog::info("{} known lead(s) not seen by the full sweep: checking them in HubSpot", ids.size());
    auto read = co_await remote_.read(ids, false);
    if (!read.found.empty()) co_await process_pull_page(c, std::move(read.found), sweep_id);
    if (!read.missing.empty()) co_await apply_remote_deletes(c, std::move(read.missing));
    if (stop_requested()) co_return;
  }
}

net::awaitable<void> SyncEngine::apply_remote_deletes(Cycle& c, std::vector<std::string> ids) {
  if (ids.empty()) co_return;
  auto policy = options_.policy.on_remote_delete;
  bool dry = c.dry_run();
  auto result =
      co_await run_blocking(store_executor_, [&] { return store_.apply_remote_deletes(ids, policy, dry); });
  c.counts().deleted_local += static_cast<std::int64_t>(result.archived_local + result.deleted_local);
  if (!result.affected.empty())
    spdlog::info("{} lead(s) deleted in HubSpot -> {} locally", result.affected.size(), to_string(policy));
  if (c.report.dry_run)
    for (auto& id : result.affected) c.report.dry_run->remote_deletes.push_back(id);
}

// ---- incremental ------------------------------------------------------------------------------------

net::awaitable<void> SyncEngine::pull_incremental(Cycle& c) {
  auto watermark = co_await load_time_state(kStateWatermark);
  const WallTime to = clock_.now();
  const WallTime from = *watermark - options_.search_lookback;
  std::optional<WallTime> max_seen;
  std::int64_t done = 0;
  if (options_.apply_events) c.missed_before = to - options_.event_grace;
  co_await remote_.search_modified(from, to, [&](std::vector<RemoteLead> page) -> net::awaitable<void> {
    for (const auto& l : page)
      if (l.updated_at && (!max_seen || *l.updated_at > *max_seen)) max_seen = l.updated_at;
    done += static_cast<std::int64_t>(page.size());
    co_await process_pull_page(c, std::move(page), std::nullopt);
    report_progress({"search", done, std::nullopt});
  });
  c.missed_before.reset();
  co_await reread_refused(c);
  if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/false);
  // min(run start, max seen): a lead modified while we searched is found again next time (never skipped),
  // and the lookback covers HubSpot's search-index lag. Never advanced past a failure (we got here).
  if (max_seen) co_await save_time_state(c, kStateWatermark, std::min(*max_seen, to));
}

net::awaitable<void> SyncEngine::reread_refused(Cycle& c) {
  // Leads whose local write PostgreSQL refused in an earlier cycle: the watermark has moved past them, and
  // the operator may have fixed the cause (widened the column, dropped the constraint), so read them again.
  auto retry =
      split_ids(co_await run_blocking(store_executor_, [&] { return store_.load_state(kStatePullRetry); }));
  std::erase_if(retry, [&](const std::string& id) { return c.pull_failed.contains(id); });  // tried just now
  if (retry.size() > kMaxPullRetries) retry.resize(kMaxPullRetries);
  for (std::size_t i = 0; i < retry.size(); i += kReadChunk) {
    std::vector<std::string> chunk(
        retry.begin() + static_cast<std::ptrdiff_t>(i),
        retry.begin() + static_cast<std::ptrdiff_t>(std::min(retry.size(), i + kReadChunk)));
    auto read = co_await remote_.read(std::move(chunk), false);
    if (!read.found.empty()) co_await process_pull_page(c, std::move(read.found), std::nullopt);
  }
}

// ---- maintenance ------------------------------------------------------------------------------------

net::awaitable<void> SyncEngine::maintenance_sweep(Cycle& c) {
  const WallTime start = clock_.now();
  enter(c, ApiActivity::association_sweep);
  if (!options_.mapping.associations.empty() && !co_await association_sweep(c)) co_return;
  // Deletes are invisible to search: scan HubSpot's recycle bin.
  enter(c, ApiActivity::recycle_bin);
  CursorGuard cursors("the archived lead list");
  std::optional<std::string> cursor;
  do {
    auto page = co_await remote_.list_page(cursor, /*archived=*/true);
    cursors.next(cursor, page.next_cursor);
    std::vector<std::string> ids;
    for (auto& l : page.leads) ids.push_back(l.id);
    co_await apply_remote_deletes(c, std::move(ids));
    cursor = page.next_cursor;
    if (stop_requested()) co_return;
  } while (cursor);
  co_await save_time_state(c, kStateLastMaintenance, start);
}

net::awaitable<bool> SyncEngine::association_sweep(Cycle& c) {
  // Associations do not bump hs_lastmodifieddate, so search never reports them: read them for every synced
  // lead, 1,000 ids per call.
  std::optional<std::string> after;
  std::int64_t done = 0;
  for (;;) {
    auto ids =
        co_await run_blocking(store_executor_, [&] { return store_.synced_ids(after, kAssociationChunk); });
    if (ids.empty()) break;
    after = ids.back();
    auto sets = co_await remote_.read_associations(ids);
    std::vector<RemoteLead> leads;
    for (auto& id : ids) {
      auto it = sets.find(id);
      // No association of any mapped type: the lead may be gone (deletes are found by the archived scan
      // and the full sweep), so say nothing rather than removing every local association.
      if (it == sets.end()) continue;
      leads.push_back(RemoteLead{.id = id, .associations = std::move(it->second)});
    }
    co_await process_pull_page(c, std::move(leads), std::nullopt);
    done += static_cast<std::int64_t>(ids.size());
    report_progress({"association sweep", done, std::nullopt});
    if (yield_wanted(c)) co_await yield_to_waiting_work(c);
    if (stop_requested()) co_return false;
  }
  co_return true;
}

}  // namespace leadsync::core
