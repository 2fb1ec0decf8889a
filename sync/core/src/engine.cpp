#include "leadsync/core/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <limits>
#include <map>
#include <set>

#include "leadsync/core/offload.hpp"

namespace leadsync::core {

using namespace net::experimental::awaitable_operators;

struct SyncEngine::Cycle {
  CycleRequest request;
  CycleReport report;
  std::uint64_t api_calls_at_start = 0;
  std::set<std::string> pull_failed;  // hubspot ids whose local write PostgreSQL refused in this cycle
  bool dry_run() const { return request.dry_run; }
  RunCounts& counts() { return report.record.counts; }
};

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

std::optional<WallTime> parse_ms_state(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  try {
    return from_epoch_ms(std::stoll(*s));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool interesting_for_dry_run(const PullPlan& p) {
  return p.writes_locally() || !p.conflicts.empty() || p.action == PullAction::skip || p.enqueue_push;
}

// Stores the ids to read again next cycle: these failures, plus (merge) the ones stored before.
net::awaitable<void> save_pull_retry(LeadStore& store, const net::any_io_executor& executor,
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

}  // namespace

SyncEngine::SyncEngine(LeadStore& store, LeadsRemote& remote, Clock& clock,
                       net::any_io_executor store_executor, EngineOptions options)
    : store_(store),
      remote_(remote),
      clock_(clock),
      store_executor_(std::move(store_executor)),
      options_(std::move(options)) {
  options_.batch_size = std::clamp<std::size_t>(options_.batch_size, 1, 100);
}

void SyncEngine::report_progress(const Progress& p) const {
  if (progress_) progress_(p);
}

WallTime SyncEngine::retry_time(int attempts) const {
  auto delay = options_.push_retry_initial;
  for (int i = 1; i < attempts && delay < options_.push_retry_max; ++i) delay *= 2;
  return clock_.now() + std::min(delay, options_.push_retry_max);
}

net::awaitable<std::optional<WallTime>> SyncEngine::load_time_state(const char* key) {
  std::string k = key;
  auto v = co_await run_blocking(store_executor_, [&] { return store_.load_state(k); });
  co_return parse_ms_state(v);
}

net::awaitable<void> SyncEngine::save_time_state(Cycle& c, const char* key, WallTime t) {
  if (c.dry_run()) co_return;
  std::string k = key, v = std::to_string(to_epoch_ms(t));
  co_await run_blocking(store_executor_, [&] { store_.save_state(k, v); });
}

net::awaitable<CycleReport> SyncEngine::run_cycle(CycleRequest request) {
  Cycle c;
  c.request = request;
  c.report.record.started_at = clock_.now();
  c.api_calls_at_start = remote_.api_calls();
  if (request.dry_run) c.report.dry_run.emplace();

  const WallTime now = clock_.now();
  auto watermark = co_await load_time_state(kStateWatermark);
  bool full = false;
  bool maintenance = false;
  if (request.kind != CycleKind::push_only) {
    auto last_full = co_await load_time_state(kStateLastFullSweep);
    auto required =
        co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateFullSweepRequired); });
    full = request.kind == CycleKind::full || !watermark || !last_full ||
           now - *last_full >= options_.full_sweep_interval || required.value_or("") == "1";
    if (!full) {
      auto last_maint = co_await load_time_state(kStateLastMaintenance);
      maintenance = !last_maint || now - *last_maint >= options_.association_sweep_interval;
    }
  }
  c.report.full_sweep = full;
  c.report.maintenance_sweep = maintenance;
  c.report.record.mode = request.kind == CycleKind::push_only ? "push" : (full ? "full" : "incremental");

  std::int64_t run_id = 0;
  if (!request.dry_run) {
    std::string mode = c.report.record.mode;
    run_id = co_await run_blocking(store_executor_, [&] { return store_.begin_run(mode); });
  }
  spdlog::info("cycle start: mode={}{}", c.report.record.mode, request.dry_run ? " (dry run)" : "");

  std::exception_ptr failure;
  try {
    if (!request.dry_run) {
      auto settled =
          co_await run_blocking(store_executor_, [&] { return store_.settle_resolved_conflicts(); });
      if (settled) spdlog::info("settled {} conflict(s) resolved by an operator", settled);
    }
    if (request.kind != CycleKind::push_only) {
      if (full) {
        co_await pull_full(c);
      } else {
        co_await pull_incremental(c);
        if (maintenance && !stop_requested()) co_await maintenance_sweep(c);
      }
    }
    if (!stop_requested()) co_await push_all(c);
  } catch (...) {
    failure = std::current_exception();
  }

  auto& rec = c.report.record;
  rec.finished_at = clock_.now();
  rec.counts.api_calls = static_cast<std::int64_t>(remote_.api_calls() - c.api_calls_at_start);
  if (failure) {
    rec.status = "failed";
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      rec.error = e.what();
    }
  } else if (stop_requested()) {
    rec.status = "cancelled";
  } else {
    rec.status = rec.counts.failed > 0 ? "partial" : "success";
  }
  c.report.watermark = co_await load_time_state(kStateWatermark);
  if (!request.dry_run) {
    try {
      RunRecord copy = rec;
      co_await run_blocking(store_executor_, [&] { store_.finish_run(run_id, copy); });
    } catch (const std::exception& e) {
      spdlog::error("could not record run {}: {}", run_id, e.what());
    }
  }
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(rec.finished_at - rec.started_at).count();
  const auto& n = rec.counts;
  spdlog::info(
      "cycle {}: mode={} pulled={} created_local={} updated_local={} deleted_local={} pushed={} "
      "created_remote={} "
      "updated_remote={} deleted_remote={} conflicts={} failed={} echoes={} api_calls={} duration={}ms{}",
      rec.status, rec.mode, n.pulled, n.created_local, n.updated_local, n.deleted_local, n.pushed,
      n.created_remote, n.updated_remote, n.deleted_remote, n.conflicts, n.failed, n.echoes_suppressed,
      n.api_calls, ms, rec.error.empty() ? "" : " error=" + rec.error);
  if (failure) std::rethrow_exception(failure);
  co_return c.report;
}

// ---- pull -------------------------------------------------------------------------------------------

net::awaitable<void> SyncEngine::process_pull_page(Cycle& c, std::vector<RemoteLead> leads,
                                                   std::optional<std::int64_t> sweep_id,
                                                   std::optional<std::string> sweep_cursor) {
  if (leads.empty()) co_return;
  PullApplyOptions opts{.dry_run = c.dry_run(), .sweep_id = sweep_id};
  if (sweep_cursor && !c.dry_run()) opts.save_state.emplace(kStateSweepCursor, std::move(*sweep_cursor));
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
  const auto apply_start = clock_.steady_now();
  auto result =
      co_await run_blocking(store_executor_, [&] { return store_.apply_pull(leads, planner, opts); });
  if (!result.needs_more_ids.empty()) {
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
    auto rest =
        co_await run_blocking(store_executor_, [&] { return store_.apply_pull(again, planner, opts); });
    for (auto& plan : rest.plans) result.plans.push_back(std::move(plan));
    for (auto& f : rest.failed) result.failed.push_back(std::move(f));
  }
  spdlog::debug(
      "applied {} remote leads locally in {} ms", leads.size(),
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - apply_start).count());

  auto& n = c.counts();
  n.pulled += static_cast<std::int64_t>(leads.size());
  n.failed += static_cast<std::int64_t>(result.failed.size());
  for (const auto& f : result.failed) c.pull_failed.insert(f.first);
  for (auto& plan : result.plans) {
    if (plan.action == PullAction::create_local) ++n.created_local;
    if (plan.action == PullAction::update_local) ++n.updated_local;
    if (plan.action == PullAction::skip) {
      ++n.skipped;
      if (plan.skip_reason.find("triggers bypassed") != std::string::npos || plan.delete_remote_copy_of)
        spdlog::warn("lead {}: {}", plan.hubspot_id, plan.skip_reason);
    }
    for (const auto& p : plan.stale_own_writes)
      spdlog::warn(
          "lead {}: HubSpot's {} holds a value from an earlier push of leadsync's whose answer never came, "
          "landed after a newer push; not taken as a HubSpot change: the row's value goes out again",
          plan.hubspot_id, p);
    if (plan.echo && !sweep_id) ++n.echoes_suppressed;  // a sweep re-reads everything: not echoes
    for (const auto& conflict : plan.conflicts) {
      ++n.conflicts;
      spdlog::info("conflict on lead {} property {}: local={} remote={} -> {}", plan.hubspot_id,
                   conflict.property, conflict.local.value_or("<empty>"), conflict.remote.value_or("<empty>"),
                   conflict.winner ? to_string(*conflict.winner) : "manual (untouched)");
    }
    if (c.report.dry_run && interesting_for_dry_run(plan)) c.report.dry_run->pull.push_back(std::move(plan));
  }
}

net::awaitable<void> SyncEngine::pull_full(Cycle& c) {
  // A sweep interrupted by a stop or a crash resumes from its last committed page: the seen-set of the
  // earlier pages is in the database under the same sweep id.
  auto saved_id = co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateSweepId); });
  auto saved_cursor =
      co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateSweepCursor); });
  auto saved_start = co_await load_time_state(kStateSweepStarted);
  const bool resume = saved_id && !saved_id->empty() && saved_cursor && !saved_cursor->empty() &&
                      saved_start && clock_.now() - *saved_start < options_.full_sweep_interval;
  const WallTime sweep_start = resume ? *saved_start : clock_.now();
  const std::int64_t sweep_id = resume ? std::stoll(*saved_id) : to_epoch_ms(sweep_start);
  std::optional<std::string> cursor = resume ? saved_cursor : std::nullopt;
  if (!c.dry_run() && !resume) {
    co_await run_blocking(store_executor_, [&] {
      store_.save_state(kStateSweepId, std::to_string(sweep_id));
      store_.save_state(kStateSweepCursor, "");
    });
    co_await save_time_state(c, kStateSweepStarted, sweep_start);
  }

  std::optional<std::int64_t> total;
  try {
    total = co_await remote_.count_leads();
  } catch (const Error& e) {
    if (e.is_fatal()) throw;
    spdlog::debug("lead count unavailable: {}", e.what());
  }
  spdlog::info("full sweep {}{}", resume ? "resumed after " + *cursor : std::string("started"),
               total ? " (" + std::to_string(*total) + " leads in HubSpot)" : "");

  std::int64_t done = 0;
  bool complete = false;
  // The sweep reads eight list pages at a time and applies them together as two halves of four pages, each
  // half in its own transaction on its own connection (PgStore::apply_pull); the next eight pages are fetched
  // meanwhile. Every transaction pays fixed costs (nine round trips, executor start-up of each statement): at
  // one page per half, those were about a tenth of an import's time (A/B, 100k leads: 2 pages per batch
  // ~24,900 leads/s, 4 pages ~26,100, 8 pages ~26,900, 16 pages no better). 800 leads in memory at a time.
  // The saved cursor is the start of the first batch not yet applied. Each batch's transaction records its
  // own start (everything before it is applied), so a crash redoes at most that batch (which then meets its
  // own rows and changes nothing); a separate transaction per page to record the next cursor cost a tenth of
  // an import's time. A fresh sweep's first batch has nothing to record: the cursor was reset above.
  std::optional<std::string> batch_cursor = resume ? cursor : std::nullopt;
  RemotePage batch = co_await list_batch(cursor);
  for (;;) {
    auto leads = std::move(batch.leads);
    auto next_cursor = batch.next_cursor;
    const auto n = static_cast<std::int64_t>(leads.size());
    if (next_cursor && !stop_requested()) {
      // Fetch the next batch while this one is written.
      const auto batch_start = clock_.steady_now();
      batch = co_await (list_batch(next_cursor) &&
                        process_pull_page(c, std::move(leads), sweep_id, std::move(batch_cursor)));
      spdlog::debug(
          "{} leads fetched and applied in {} ms", n,
          std::chrono::duration_cast<std::chrono::milliseconds>(clock_.steady_now() - batch_start).count());
    } else {
      co_await process_pull_page(c, std::move(leads), sweep_id, std::move(batch_cursor));
    }
    done += n;
    report_progress({"full sweep", done, total});
    if (!next_cursor) {
      complete = true;
      break;
    }
    batch_cursor = *next_cursor;
    if (stop_requested()) {
      // No next batch's transaction will record it: this batch is applied, the next cycle resumes after it.
      if (!c.dry_run())
        co_await run_blocking(store_executor_, [&] { store_.save_state(kStateSweepCursor, *batch_cursor); });
      break;
    }
  }
  if (!complete) {
    if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/true);
    spdlog::info("full sweep paused after {} leads (stop requested); the next cycle resumes it", done);
    co_return;
  }
  // The sweep read every lead again: its failures are the ones left.
  if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/false);
  // Only a complete sweep can say which leads are missing.
  co_await confirm_remote_deletes(c, sweep_id);
  if (stop_requested()) co_return;
  if (!c.dry_run()) {
    co_await run_blocking(store_executor_, [&] {
      store_.end_sweep(sweep_id);
      store_.save_state(kStateFullSweepRequired, "0");
      store_.save_state(kStateSweepId, "");
      store_.save_state(kStateSweepCursor, "");
    });
  }
  // Everything modified before the sweep started has been seen; later changes are found by search.
  co_await save_time_state(c, kStateWatermark, sweep_start);
  co_await save_time_state(c, kStateLastFullSweep, sweep_start);
  co_await save_time_state(c, kStateLastMaintenance, sweep_start);
  spdlog::info("full sweep done: {} leads", done);
}

net::awaitable<RemotePage> SyncEngine::list_batch(std::optional<std::string> cursor) {
  RemotePage batch = co_await remote_.list_page(cursor, false);
  for (int pages = 1; pages < kSweepPagesPerBatch && batch.next_cursor && !stop_requested(); ++pages) {
    auto more = co_await remote_.list_page(batch.next_cursor, false);
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

net::awaitable<void> SyncEngine::pull_incremental(Cycle& c) {
  auto watermark = co_await load_time_state(kStateWatermark);
  const WallTime to = clock_.now();
  const WallTime from = *watermark - options_.search_lookback;
  std::optional<WallTime> max_seen;
  std::int64_t done = 0;
  co_await remote_.search_modified(from, to, [&](std::vector<RemoteLead> page) -> net::awaitable<void> {
    for (const auto& l : page)
      if (l.updated_at && (!max_seen || *l.updated_at > *max_seen)) max_seen = l.updated_at;
    done += static_cast<std::int64_t>(page.size());
    co_await process_pull_page(c, std::move(page), std::nullopt);
    report_progress({"search", done, std::nullopt});
  });
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
  if (!c.dry_run()) co_await save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/false);
  // min(run start, max seen): a lead modified while we searched is found again next time (never skipped),
  // and the lookback covers HubSpot's search-index lag. Never advanced past a failure (we got here).
  if (max_seen) co_await save_time_state(c, kStateWatermark, std::min(*max_seen, to));
}

net::awaitable<void> SyncEngine::maintenance_sweep(Cycle& c) {
  const WallTime start = clock_.now();
  // Associations do not bump hs_lastmodifieddate, so search never reports them: read them for every synced
  // lead, 1,000 ids per call.
  if (!options_.mapping.associations.empty()) {
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
      if (stop_requested()) co_return;
    }
  }
  // Deletes are invisible to search: scan HubSpot's recycle bin.
  std::optional<std::string> cursor;
  do {
    auto page = co_await remote_.list_page(cursor, /*archived=*/true);
    std::vector<std::string> ids;
    for (auto& l : page.leads) ids.push_back(l.id);
    co_await apply_remote_deletes(c, std::move(ids));
    cursor = page.next_cursor;
    if (stop_requested()) co_return;
  } while (cursor);
  co_await save_time_state(c, kStateLastMaintenance, start);
}

// ---- push -------------------------------------------------------------------------------------------

net::awaitable<void> SyncEngine::push_all(Cycle& c) {
  std::int64_t done = 0;
  std::set<std::int64_t> seen;  // a dry run claims nothing, so stop when a batch brings nothing new
  for (;;) {
    if (stop_requested()) co_return;
    bool dry = c.dry_run();
    std::size_t limit = dry ? std::numeric_limits<std::size_t>::max() : options_.batch_size;
    auto items = co_await run_blocking(store_executor_, [&] { return store_.claim_push(limit, dry); });
    if (items.empty()) co_return;
    if (dry) {
      for (auto& item : items)
        c.report.dry_run->push.emplace_back(item, plan_push(options_.mapping, item.context));
      co_return;
    }
    done += static_cast<std::int64_t>(items.size());
    co_await push_batch(c, std::move(items));
    report_progress({"push", done, std::nullopt});
  }
}

namespace {

PushOutcome outcome_for(const PushItem& item, PushStatus status, PushAction action) {
  PushOutcome o;
  o.lead_id = item.lead_id;
  o.change_ids = item.change_ids;
  o.status = status;
  o.action = action;
  return o;
}

BaseState base_from_remote(const RemoteLead& remote, const PushPlan& plan) {
  BaseState b;
  b.hubspot_id = remote.id;
  b.values = remote.values;
  b.remote_updated_at = remote.updated_at;
  if (remote.updated_at)
    for (const auto& [p, v] : remote.values) b.changed_at[p] = *remote.updated_at;
  b.associations = plan.assoc_add;  // sent inline with the create that reached HubSpot
  return b;
}

}  // namespace

net::awaitable<void> SyncEngine::push_batch(Cycle& c, std::vector<PushItem> items) {
  const auto& mapping = options_.mapping;
  std::vector<PushPlan> plans;
  plans.reserve(items.size());
  std::vector<std::optional<PushOutcome>> outcomes(items.size());

  // A whole call failing (HubSpot unreachable, 5xx after the client's retries) says nothing about the
  // records in it: those retries never count toward max_push_attempts, so an outage of any length leaves the
  // changes pending, not FAILED. The first such failure ends the cycle (after recording the outcomes) and
  // the caller backs off.
  std::optional<Error> call_failure;
  auto fail_outcome = [&](std::size_t i, PushStatus status, const std::string& message,
                          ErrorDetails details = {}, bool counts_as_attempt = true) {
    auto o = outcome_for(items[i], status, plans[i].action);
    o.error = message;
    o.details = std::move(details);
    if (status == PushStatus::retry) {
      if (counts_as_attempt && items[i].attempts >= options_.max_push_attempts) {
        o.status = PushStatus::failed;
        o.error = "gave up after " + std::to_string(items[i].attempts) + " attempts: " + message;
      } else {
        o.next_attempt_at = retry_time(items[i].attempts);
      }
    }
    outcomes[i] = std::move(o);
  };
  auto error_outcome = [&](std::size_t i, const Error& e) {
    fail_outcome(i, e.is_record() ? PushStatus::failed : PushStatus::retry, e.what(), e.details());
  };
  auto call_failed = [&](std::size_t i, const Error& e) {
    if (!call_failure) call_failure = e;
    if (e.is_record())
      fail_outcome(i, PushStatus::failed, e.what(), e.details());
    else
      fail_outcome(i, PushStatus::retry, e.what(), e.details(), /*counts_as_attempt=*/false);
  };

  std::vector<std::size_t> creates, in_doubt_creates, in_doubt_gone, updates, archives;
  for (std::size_t i = 0; i < items.size(); ++i) {
    plans.push_back(plan_push(mapping, items[i].context));
    const auto& plan = plans[i];
    if (!plan.failure.empty()) {
      fail_outcome(i, PushStatus::failed, plan.failure);
      continue;
    }
    switch (plan.action) {
      case PushAction::none: {
        const auto& local = items[i].context.local;
        bool never_created = !local || local->archived;
        // Deleted (or archived) locally before any create was confirmed. If a create attempt was started, it
        // may have reached HubSpot all the same: that copy must go too, or the next pull brings it back.
        const bool unconfirmed_gone = never_created && (!local || !local->hubspot_id) && items[i].in_doubt;
        if (unconfirmed_gone && !items[i].sync_key.empty() && mapping.unique_key_property) {
          in_doubt_gone.push_back(i);
          break;
        }
        if (unconfirmed_gone)
          spdlog::warn(
              "lead row {}: deleted locally while an earlier create attempt may have reached HubSpot; "
              "without hubspot.unique_key_property that copy cannot be found: if it exists, the next "
              "pull imports it as a new row (delete it in HubSpot)",
              items[i].lead_id);
        outcomes[i] =
            outcome_for(items[i], never_created ? PushStatus::ignored : PushStatus::merged, plan.action);
        break;
      }
      case PushAction::create:
        (items[i].in_doubt ? in_doubt_creates : creates).push_back(i);
        break;
      case PushAction::update:
        updates.push_back(i);
        break;
      case PushAction::archive:
        archives.push_back(i);
        break;
    }
  }

  // Leads whose earlier create attempt may have reached HubSpot are read back by the unique key (= sync_key),
  // all in one call. A create is repeated only if HubSpot does not have the lead; a lead deleted locally
  // since is deleted in HubSpot too (below, with the other archives) if it reached it. Without a unique key
  // that is unknowable (in_doubt_gone is then empty: see above).
  if (!in_doubt_creates.empty() && !mapping.unique_key_property) {
    for (auto i : in_doubt_creates)
      fail_outcome(i, PushStatus::failed,
                   "an earlier create attempt may have reached HubSpot and cannot be checked without "
                   "hubspot.unique_key_property; look for a duplicate lead, then run --retry-failed");
  } else if (!in_doubt_creates.empty() || !in_doubt_gone.empty()) {
    std::vector<std::string> keys;
    for (auto i : in_doubt_creates) keys.push_back(items[i].sync_key);
    for (auto i : in_doubt_gone) keys.push_back(items[i].sync_key);
    try {
      auto found = co_await remote_.find_by_unique_key(keys);
      std::map<std::string, RemoteLead*> by_key;
      for (auto& f : found)
        if (f.unique_key) by_key[*f.unique_key] = &f;
      for (auto i : in_doubt_creates) {
        auto it = by_key.find(items[i].sync_key);
        if (it == by_key.end()) {
          creates.push_back(i);
          continue;
        }
        auto o = outcome_for(items[i], PushStatus::success, PushAction::create);
        o.hubspot_id = it->second->id;
        o.new_base = base_from_remote(*it->second, plans[i]);
        outcomes[i] = std::move(o);
        spdlog::info("lead row {}: earlier create reached HubSpot as {} (linked, not created again)",
                     items[i].lead_id, it->second->id);
      }
      for (auto i : in_doubt_gone) {
        auto it = by_key.find(items[i].sync_key);
        if (it == by_key.end()) {
          outcomes[i] = outcome_for(items[i], PushStatus::ignored, PushAction::none);
          continue;
        }
        spdlog::info(
            "lead row {}: deleted locally, but its unconfirmed create reached HubSpot as {}: deleting it",
            items[i].lead_id, it->second->id);
        plans[i].action = PushAction::archive;
        plans[i].hubspot_id = it->second->id;
        archives.push_back(i);
      }
    } catch (const Error& e) {
      if (e.is_fatal()) throw;
      for (auto i : in_doubt_creates) call_failed(i, e);
      for (auto i : in_doubt_gone) call_failed(i, e);
    }
  }

  // Creates.
  if (!creates.empty()) {
    std::vector<CreateRequest> reqs;
    std::map<std::string, std::size_t> by_ref;
    for (auto i : creates) {
      CreateRequest r{
          .ref = items[i].sync_key, .properties = plans[i].properties, .associations = plans[i].assoc_add};
      if (mapping.unique_key_property) r.properties[*mapping.unique_key_property] = items[i].sync_key;
      by_ref[r.ref] = i;
      reqs.push_back(std::move(r));
    }
    try {
      auto results = co_await remote_.create(std::move(reqs));
      for (auto& res : results) {
        auto it = by_ref.find(res.ref);
        if (it == by_ref.end()) continue;
        auto i = it->second;
        if (res.ok && res.lead) {
          auto o = outcome_for(items[i], PushStatus::success, PushAction::create);
          o.hubspot_id = res.lead->id;
          o.new_base = base_after_push(plans[i], items[i].context.base, res.lead->id, res.lead->updated_at);
          // The create sent only the columns with a value; the others were empty, and that is their synced
          // state. Left out of the base, a later local edit of such a column would meet "no base" and be
          // taken for a conflict. (A default HubSpot filled in then differs from this base and is pulled as a
          // change.)
          for (const auto& m : mapping.properties)
            if (!o.new_base->values.contains(m.property)) o.new_base->values[m.property] = std::nullopt;
          for (auto& [p, v] : plans[i].properties) o.pushed_properties.push_back(p);
          outcomes[i] = std::move(o);
        } else if (res.error) {
          error_outcome(i, *res.error);
        }
      }
    } catch (const Error& e) {
      if (e.is_fatal()) throw;
      for (auto i : creates)
        if (!outcomes[i]) call_failed(i, e);
    }
  }

  // Updates: properties first, then associations (adds before removes, inside the adapter).
  std::map<std::string, std::size_t> update_by_id;
  std::vector<UpdateRequest> update_reqs;
  std::vector<AssociationChange> assoc_reqs;
  std::map<std::size_t, BaseState> partial_base;
  for (auto i : updates) {
    update_by_id[plans[i].hubspot_id] = i;
    if (!plans[i].properties.empty()) update_reqs.push_back({plans[i].hubspot_id, plans[i].properties});
  }
  if (!update_reqs.empty()) {
    try {
      auto results = co_await remote_.update(std::move(update_reqs));
      for (auto& res : results) {
        auto it = update_by_id.find(res.ref);
        if (it == update_by_id.end()) continue;
        auto i = it->second;
        if (res.ok) {
          // An unanswered earlier attempt of this request may still land, after whatever is pushed next: its
          // values are remembered like those of an unconfirmed push of an earlier run (convergence seed 609:
          // a batch update timed out, the retry succeeded, the next local edit was pushed, then the first
          // request landed and the pull took its older value for a HubSpot change).
          if (res.unconfirmed_attempt)
            for (const auto& [p, v] : plans[i].properties) items[i].maybe_sent[p].insert(v);
          PushPlan props_only = plans[i];
          props_only.assoc_add.clear();
          props_only.assoc_remove.clear();
          partial_base[i] = base_after_push(props_only, items[i].context.base, plans[i].hubspot_id,
                                            res.lead ? res.lead->updated_at : std::nullopt);
        } else if (res.error) {
          error_outcome(i, *res.error);
        }
      }
    } catch (const Error& e) {
      if (e.is_fatal()) throw;
      for (auto i : updates)
        if (!plans[i].properties.empty() && !outcomes[i]) call_failed(i, e);
    }
  }
  for (auto i : updates) {
    if (outcomes[i]) continue;  // the property update failed: its associations wait for the retry
    if (!plans[i].assoc_add.empty() || !plans[i].assoc_remove.empty())
      assoc_reqs.push_back({plans[i].hubspot_id, plans[i].assoc_add, plans[i].assoc_remove,
                            filter_mapped(mapping, items[i].context.local->associations)});
  }
  std::set<std::size_t> assoc_ok;
  if (!assoc_reqs.empty()) {
    try {
      auto results = co_await remote_.change_associations(std::move(assoc_reqs));
      for (auto& res : results) {
        auto it = update_by_id.find(res.ref);
        if (it == update_by_id.end()) continue;
        if (res.ok) {
          assoc_ok.insert(it->second);
        } else if (res.error) {
          error_outcome(it->second, *res.error);
        }
      }
    } catch (const Error& e) {
      if (e.is_fatal()) throw;
      for (auto i : updates)
        if (!outcomes[i] && (!plans[i].assoc_add.empty() || !plans[i].assoc_remove.empty()))
          call_failed(i, e);
    }
  }
  for (auto i : updates) {
    const bool has_assoc = !plans[i].assoc_add.empty() || !plans[i].assoc_remove.empty();
    auto base_it = partial_base.find(i);
    if (outcomes[i]) {
      // Properties reached HubSpot even though the associations did not: keep that in the base so only
      // the associations are retried.
      if (base_it != partial_base.end()) {
        outcomes[i]->new_base = base_it->second;
        for (auto& [p, v] : plans[i].properties) outcomes[i]->pushed_properties.push_back(p);
      }
      continue;
    }
    if (has_assoc && !assoc_ok.contains(i)) {
      fail_outcome(i, PushStatus::retry, "HubSpot did not confirm the association change");
      continue;
    }
    auto o = outcome_for(items[i], PushStatus::success, PushAction::update);
    o.hubspot_id = plans[i].hubspot_id;
    std::optional<WallTime> updated_at;
    if (base_it != partial_base.end()) updated_at = base_it->second.remote_updated_at;
    o.new_base = base_after_push(plans[i], items[i].context.base, plans[i].hubspot_id, updated_at);
    for (auto& [p, v] : plans[i].properties) o.pushed_properties.push_back(p);
    outcomes[i] = std::move(o);
  }

  // Archives (DELETE / batch archive). A lead already gone counts as archived.
  if (!archives.empty()) {
    std::vector<std::string> ids;
    std::map<std::string, std::size_t> by_id;
    for (auto i : archives) {
      ids.push_back(plans[i].hubspot_id);
      by_id[plans[i].hubspot_id] = i;
    }
    try {
      auto results = co_await remote_.archive(std::move(ids));
      for (auto& res : results) {
        auto it = by_id.find(res.ref);
        if (it == by_id.end()) continue;
        if (res.ok) {
          auto o = outcome_for(items[it->second], PushStatus::success, PushAction::archive);
          o.hubspot_id = res.ref;
          outcomes[it->second] = std::move(o);
        } else if (res.error) {
          error_outcome(it->second, *res.error);
        }
      }
    } catch (const Error& e) {
      if (e.is_fatal()) throw;
      for (auto i : archives)
        if (!outcomes[i]) call_failed(i, e);
    }
  }

  std::vector<PushOutcome> done;
  auto& n = c.counts();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!outcomes[i]) fail_outcome(i, PushStatus::retry, "HubSpot returned no result for this lead");
    auto& o = *outcomes[i];
    switch (o.status) {
      case PushStatus::success:
        // An earlier attempt of this push may still reach HubSpot with older values: the base remembers them.
        if (o.new_base && (!items[i].maybe_sent.empty() || o.new_base->superseded_until))
          remember_superseded_writes(*o.new_base, items[i].maybe_sent, clock_.now());
        ++n.pushed;
        if (o.action == PushAction::create) ++n.created_remote;
        if (o.action == PushAction::update) ++n.updated_remote;
        if (o.action == PushAction::archive) ++n.deleted_remote;
        break;
      case PushStatus::failed:
        ++n.failed;
        spdlog::warn(
            "lead row {} ({}): push failed: {}{}", o.lead_id, to_string(o.action), o.error,
            o.details.correlation_id.empty() ? "" : " [correlationId " + o.details.correlation_id + "]");
        break;
      case PushStatus::retry:
        spdlog::info("lead row {}: push will be retried: {}", o.lead_id, o.error);
        break;
      default:
        break;
    }
    done.push_back(std::move(o));
  }
  co_await run_blocking(store_executor_, [&] { store_.complete_push(done); });
  if (call_failure && !call_failure->is_record()) throw *call_failure;
}

// ---- misc -------------------------------------------------------------------------------------------

const char* to_string(PushStatus s) noexcept {
  switch (s) {
    case PushStatus::success:
      return "success";
    case PushStatus::failed:
      return "failed";
    case PushStatus::retry:
      return "retry";
    case PushStatus::merged:
      return "merged";
    case PushStatus::ignored:
      return "ignored";
  }
  return "unknown";
}

RunCounts& RunCounts::operator+=(const RunCounts& o) {
  pulled += o.pulled;
  pushed += o.pushed;
  created_remote += o.created_remote;
  created_local += o.created_local;
  updated_local += o.updated_local;
  updated_remote += o.updated_remote;
  deleted_local += o.deleted_local;
  deleted_remote += o.deleted_remote;
  conflicts += o.conflicts;
  failed += o.failed;
  echoes_suppressed += o.echoes_suppressed;
  api_calls += o.api_calls;
  skipped += o.skipped;
  return *this;
}

}  // namespace leadsync::core
