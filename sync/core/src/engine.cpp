#include "leadsync/core/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "engine_cycle.hpp"
#include "leadsync/core/offload.hpp"

namespace leadsync::core {

namespace engine_detail {

std::optional<WallTime> parse_ms_state(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  try {
    return from_epoch_ms(std::stoll(*s));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace engine_detail

namespace {

void log_cycle_end(const RunRecord& rec, std::int64_t skipped_bad_id) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(rec.finished_at - rec.started_at).count();
  const auto& n = rec.counts;
  spdlog::info(
      "cycle {}: mode={} pulled={} created_local={} updated_local={} deleted_local={} pushed={} "
      "created_remote={} "
      "updated_remote={} deleted_remote={} conflicts={} failed={} echoes={} skipped_bad_id={} api_calls={} "
      "duration={}ms{}",
      rec.status, rec.mode, n.pulled, n.created_local, n.updated_local, n.deleted_local, n.pushed,
      n.created_remote, n.updated_remote, n.deleted_remote, n.conflicts, n.failed, n.echoes_suppressed,
      skipped_bad_id, n.api_calls, ms, rec.error.empty() ? "" : " error=" + rec.error);
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

void SyncEngine::enter(Cycle& c, ApiActivity a) {
  const auto now = remote_.api_calls();
  c.counts().api_calls_by_activity[index_of(c.activity)] += static_cast<std::int64_t>(now - c.activity_mark);
  c.activity_mark = now;
  c.activity = a;
  remote_.set_priority(priority_of(a));
}

net::awaitable<std::optional<WallTime>> SyncEngine::load_time_state(const char* key) {
  std::string k = key;
  auto v = co_await run_blocking(store_executor_, [&] { return store_.load_state(k); });
  co_return engine_detail::parse_ms_state(v);
}

net::awaitable<void> SyncEngine::save_time_state(Cycle& c, const char* key, WallTime t) {
  if (c.dry_run()) co_return;
  std::string k = key, v = std::to_string(to_epoch_ms(t));
  co_await run_blocking(store_executor_, [&] { store_.save_state(k, v); });
}

net::awaitable<void> SyncEngine::choose_sweeps(Cycle& c) {
  if (drains_only(c.request.kind)) co_return;
  const WallTime now = clock_.now();
  auto watermark = co_await load_time_state(kStateWatermark);
  auto last_full = co_await load_time_state(kStateLastFullSweep);
  auto required =
      co_await run_blocking(store_executor_, [&] { return store_.load_state(kStateFullSweepRequired); });
  c.report.full_sweep = c.request.kind == CycleKind::full || !watermark || !last_full ||
                        now - *last_full >= options_.full_sweep_interval || required.value_or("") == "1";
  if (!c.report.full_sweep) {
    auto last_maint = co_await load_time_state(kStateLastMaintenance);
    c.report.maintenance_sweep = !last_maint || now - *last_maint >= options_.association_sweep_interval;
  }
}

net::awaitable<void> SyncEngine::run_phases(Cycle& c) {
  if (!c.dry_run()) {
    auto settled = co_await run_blocking(store_executor_, [&] { return store_.settle_resolved_conflicts(); });
    if (settled) spdlog::info("settled {} conflict(s) resolved by an operator", settled);
  }
  if (options_.apply_events) {
    co_await apply_events(c);
    if (!drains_only(c.request.kind)) co_await prune_events(c);
  }
  if (!drains_only(c.request.kind) && !stop_requested()) {
    if (c.report.full_sweep) {
      enter(c, ApiActivity::full_sweep);
      co_await pull_full(c);
    } else {
      enter(c, ApiActivity::incremental);
      co_await pull_incremental(c);
      if (c.report.maintenance_sweep && !stop_requested()) co_await maintenance_sweep(c);
    }
  }
  enter(c, ApiActivity::push);
  if (!stop_requested()) co_await push_all(c);
}

bool SyncEngine::yield_wanted(const Cycle& c) const {
  return yield_check_ && !c.dry_run() && !stop_requested() && yield_check_();
}

net::awaitable<void> SyncEngine::yield_to_waiting_work(Cycle& c) {
  // Only between batches whose pages are all applied: a page read before the push and applied after it
  // would hold HubSpot's state from before it, and associations carry no timestamp to tell it stale.
  const ApiActivity sweep = c.activity;
  ++c.report.sweep_yields;
  spdlog::debug("sweep paused: local changes or webhook events are waiting");
  if (options_.apply_events) co_await apply_events(c);
  enter(c, ApiActivity::push);
  if (!stop_requested()) co_await push_all(c);
  enter(c, sweep);
}

net::awaitable<CycleReport> SyncEngine::run_cycle(CycleRequest request) {
  Cycle c;
  c.request = request;
  c.report.record.started_at = clock_.now();
  c.api_calls_at_start = remote_.api_calls();
  c.activity_mark = c.api_calls_at_start;
  c.skipped_bad_id_at_start = remote_.leads_skipped_bad_id();
  if (request.dry_run) c.report.dry_run.emplace();

  co_await choose_sweeps(c);
  auto& rec = c.report.record;
  rec.mode = request.kind == CycleKind::push_only ? "push"
             : request.kind == CycleKind::events  ? "events"
             : c.report.full_sweep                ? "full"
                                                  : "incremental";

  std::int64_t run_id = 0;
  if (!request.dry_run) {
    std::string mode = rec.mode;
    run_id = co_await run_blocking(store_executor_, [&] { return store_.begin_run(mode); });
  }
  spdlog::info("cycle start: mode={}{}", rec.mode, request.dry_run ? " (dry run)" : "");

  std::exception_ptr failure;
  try {
    co_await run_phases(c);
  } catch (...) {
    failure = std::current_exception();
  }

  rec.finished_at = clock_.now();
  enter(c, ApiActivity::setup);  // closes the last activity's share
  rec.counts.api_calls = static_cast<std::int64_t>(remote_.api_calls() - c.api_calls_at_start);
  c.report.skipped_bad_id =
      static_cast<std::int64_t>(remote_.leads_skipped_bad_id() - c.skipped_bad_id_at_start);
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
  log_cycle_end(rec, c.report.skipped_bad_id);
  if (failure) std::rethrow_exception(failure);
  co_return c.report;
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
  for (std::size_t i = 0; i < kApiActivityCount; ++i) api_calls_by_activity[i] += o.api_calls_by_activity[i];
  skipped += o.skipped;
  return *this;
}

}  // namespace leadsync::core
