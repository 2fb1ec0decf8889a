// Pushing: the outbox drained batch by batch (SyncEngine::push_all) and one batch's phases (PushBatch).
#include "push_batch.hpp"

#include <spdlog/spdlog.h>

#include <limits>

#include "engine_cycle.hpp"
#include "leadsync/core/offload.hpp"

namespace leadsync::core {

namespace {

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

void add_pushed_properties(PushOutcome& o, const PushPlan& plan) {
  for (const auto& [p, v] : plan.properties) o.pushed_properties.push_back(p);
}

}  // namespace

// ---- the engine's side ------------------------------------------------------------------------------

net::awaitable<void> SyncEngine::push_all(Cycle& c) {
  std::int64_t done = 0;
  for (;;) {
    if (stop_requested()) co_return;
    bool dry = c.dry_run();
    std::size_t limit = dry ? std::numeric_limits<std::size_t>::max() : options_.batch_size;
    auto items = co_await run_blocking(store_executor_, [&] { return store_.claim_push(limit, dry); });
    if (items.empty()) co_return;
    if (dry) {
      // A dry run claims nothing: everything pending came in this one call.
      for (auto& item : items)
        c.report.dry_run->push.emplace_back(item, plan_push(options_.mapping, item.context));
      co_return;
    }
    done += static_cast<std::int64_t>(items.size());
    co_await push_batch(c, std::move(items));
    report_progress({"push", done, std::nullopt});
  }
}

net::awaitable<void> SyncEngine::push_batch(Cycle& c, std::vector<PushItem> items) {
  PushBatch batch(options_, remote_, clock_, std::move(items));
  batch.classify();
  co_await batch.resolve_in_doubt_creates();
  co_await batch.send_creates();
  co_await batch.send_updates();
  co_await batch.send_archives();
  auto done = batch.tally(c.counts());
  co_await run_blocking(store_executor_, [&] { store_.complete_push(done); });
  if (batch.call_failure() && !batch.call_failure()->is_record()) throw *batch.call_failure();
}

// ---- PushBatch ----------------------------------------------------------------------------------------

PushBatch::PushBatch(const EngineOptions& options, LeadsRemote& remote, Clock& clock,
                     std::vector<PushItem> items)
    : options_(options),
      mapping_(options.mapping),
      remote_(remote),
      clock_(clock),
      items_(std::move(items)),
      outcomes_(items_.size()) {
  plans_.reserve(items_.size());
}

WallTime PushBatch::retry_time(int attempts) const {
  auto delay = options_.push_retry_initial;
  for (int i = 1; i < attempts && delay < options_.push_retry_max; ++i) delay *= 2;
  return clock_.now() + std::min(delay, options_.push_retry_max);
}

void PushBatch::set_outcome(std::size_t i, PushStatus status, PushAction action) {
  PushOutcome o;
  o.lead_id = items_[i].lead_id;
  o.change_ids = items_[i].change_ids;
  o.status = status;
  o.action = action;
  outcomes_[i] = std::move(o);
}

void PushBatch::fail(std::size_t i, PushStatus status, const std::string& message, ErrorDetails details,
                     bool counts_as_attempt) {
  set_outcome(i, status, plans_[i].action);
  auto& o = *outcomes_[i];
  o.error = message;
  o.details = std::move(details);
  if (status != PushStatus::retry) return;
  if (counts_as_attempt && items_[i].attempts >= options_.max_push_attempts) {
    o.status = PushStatus::failed;
    o.error = "gave up after " + std::to_string(items_[i].attempts) + " attempts: " + message;
  } else {
    o.next_attempt_at = retry_time(items_[i].attempts);
  }
}

void PushBatch::record_error(std::size_t i, const Error& e) {
  fail(i, e.is_record() ? PushStatus::failed : PushStatus::retry, e.what(), e.details());
}

void PushBatch::call_failed(std::size_t i, const Error& e) {
  if (!call_failure_) call_failure_ = e;
  if (e.is_record())
    fail(i, PushStatus::failed, e.what(), e.details());
  else
    fail(i, PushStatus::retry, e.what(), e.details(), /*counts_as_attempt=*/false);
}

// Awaits one batch call and hands each per-record result to its item: `on_ok(i, result)` for a success,
// the record's error otherwise. A failure of the whole call goes to every item in `sent` still without an
// outcome; a fatal one ends the cycle.
template <typename OnOk>
net::awaitable<void> PushBatch::collect(net::awaitable<std::vector<WriteResult>> call, const Index& by_ref,
                                        const std::vector<std::size_t>& sent, OnOk on_ok) {
  try {
    auto results = co_await std::move(call);
    for (auto& res : results) {
      auto it = by_ref.find(res.ref);
      if (it == by_ref.end()) continue;
      if (res.ok)
        on_ok(it->second, res);
      else if (res.error)
        record_error(it->second, *res.error);
    }
  } catch (const Error& e) {
    if (e.is_fatal()) throw;
    for (auto i : sent)
      if (!outcomes_[i]) call_failed(i, e);
  }
}

void PushBatch::classify() {
  for (std::size_t i = 0; i < items_.size(); ++i) {
    plans_.push_back(plan_push(mapping_, items_[i].context));
    const auto& plan = plans_[i];
    if (!plan.failure.empty()) {
      fail(i, PushStatus::failed, plan.failure);
      continue;
    }
    switch (plan.action) {
      case PushAction::none: {
        const auto& local = items_[i].context.local;
        bool never_created = !local || local->archived;
        // Deleted (or archived) locally before any create was confirmed. If a create attempt was started, it
        // may have reached HubSpot all the same: that copy must go too, or the next pull brings it back.
        const bool unconfirmed_gone = never_created && (!local || !local->hubspot_id) && items_[i].in_doubt;
        if (unconfirmed_gone && !items_[i].sync_key.empty() && mapping_.unique_key_property) {
          in_doubt_gone_.push_back(i);
          break;
        }
        if (unconfirmed_gone)
          spdlog::warn(
              "lead row {}: deleted locally while an earlier create attempt may have reached HubSpot; "
              "without hubspot.unique_key_property that copy cannot be found: if it exists, the next "
              "pull imports it as a new row (delete it in HubSpot)",
              items_[i].lead_id);
        set_outcome(i, never_created ? PushStatus::ignored : PushStatus::merged, plan.action);
        break;
      }
      case PushAction::create:
        (items_[i].in_doubt ? in_doubt_creates_ : creates_).push_back(i);
        break;
      case PushAction::update:
        updates_.push_back(i);
        break;
      case PushAction::archive:
        archives_.push_back(i);
        break;
    }
  }
}

net::awaitable<void> PushBatch::resolve_in_doubt_creates() {
  // All read back in one call, by the unique key (= sync_key). A create is repeated only if HubSpot does not
  // have the lead; a lead deleted locally since is deleted in HubSpot too (send_archives) if it reached it.
  // Without a unique key that is unknowable (in_doubt_gone_ is then empty: see classify).
  if (in_doubt_creates_.empty() && in_doubt_gone_.empty()) co_return;
  if (!mapping_.unique_key_property) {
    for (auto i : in_doubt_creates_)
      fail(i, PushStatus::failed,
           "an earlier create attempt may have reached HubSpot and cannot be checked without "
           "hubspot.unique_key_property; look for a duplicate lead, then run --retry-failed");
    co_return;
  }
  std::vector<std::string> keys;
  for (auto i : in_doubt_creates_) keys.push_back(items_[i].sync_key);
  for (auto i : in_doubt_gone_) keys.push_back(items_[i].sync_key);
  std::vector<RemoteLead> found;
  try {
    found = co_await remote_.find_by_unique_key(keys);
  } catch (const Error& e) {
    if (e.is_fatal()) throw;
    for (auto i : in_doubt_creates_) call_failed(i, e);
    for (auto i : in_doubt_gone_) call_failed(i, e);
    co_return;
  }
  std::map<std::string, RemoteLead*> by_key;
  for (auto& f : found)
    if (f.unique_key) by_key[*f.unique_key] = &f;
  for (auto i : in_doubt_creates_) {
    auto it = by_key.find(items_[i].sync_key);
    if (it == by_key.end()) {
      creates_.push_back(i);
      continue;
    }
    set_outcome(i, PushStatus::success, PushAction::create);
    outcomes_[i]->hubspot_id = it->second->id;
    outcomes_[i]->new_base = base_from_remote(*it->second, plans_[i]);
    spdlog::info("lead row {}: earlier create reached HubSpot as {} (linked, not created again)",
                 items_[i].lead_id, it->second->id);
  }
  for (auto i : in_doubt_gone_) {
    auto it = by_key.find(items_[i].sync_key);
    if (it == by_key.end()) {
      set_outcome(i, PushStatus::ignored, PushAction::none);
      continue;
    }
    spdlog::info(
        "lead row {}: deleted locally, but its unconfirmed create reached HubSpot as {}: deleting it",
        items_[i].lead_id, it->second->id);
    plans_[i].action = PushAction::archive;
    plans_[i].hubspot_id = it->second->id;
    archives_.push_back(i);
  }
}

net::awaitable<void> PushBatch::send_creates() {
  if (creates_.empty()) co_return;
  std::vector<CreateRequest> reqs;
  Index by_ref;
  for (auto i : creates_) {
    CreateRequest r{
        .ref = items_[i].sync_key, .properties = plans_[i].properties, .associations = plans_[i].assoc_add};
    if (mapping_.unique_key_property) r.properties[*mapping_.unique_key_property] = items_[i].sync_key;
    by_ref[r.ref] = i;
    reqs.push_back(std::move(r));
  }
  co_await collect(remote_.create(std::move(reqs)), by_ref, creates_, [&](std::size_t i, WriteResult& res) {
    if (!res.lead) return;  // no lead returned: no result for this item (retried, see tally)
    set_outcome(i, PushStatus::success, PushAction::create);
    auto& o = *outcomes_[i];
    o.hubspot_id = res.lead->id;
    o.new_base = base_after_push(plans_[i], items_[i].context.base, res.lead->id, res.lead->updated_at);
    // The create sent only the columns with a value; the others were empty, and that is their synced
    // state. Left out of the base, a later local edit of such a column would meet "no base" and be
    // taken for a conflict. (A default HubSpot filled in then differs from this base and is pulled as a
    // change.)
    for (const auto& m : mapping_.properties)
      if (!o.new_base->values.contains(m.property)) o.new_base->values[m.property] = std::nullopt;
    add_pushed_properties(o, plans_[i]);
  });
}

bool PushBatch::has_assoc_change(std::size_t i) const {
  return !plans_[i].assoc_add.empty() || !plans_[i].assoc_remove.empty();
}

net::awaitable<void> PushBatch::send_updates() {
  Index by_id;
  std::vector<UpdateRequest> update_reqs;
  std::vector<std::size_t> with_properties;
  for (auto i : updates_) {
    by_id[plans_[i].hubspot_id] = i;
    if (plans_[i].properties.empty()) continue;
    update_reqs.push_back({plans_[i].hubspot_id, plans_[i].properties});
    with_properties.push_back(i);
  }
  if (!update_reqs.empty()) {
    co_await collect(
        remote_.update(std::move(update_reqs)), by_id, with_properties, [&](std::size_t i, WriteResult& res) {
          // An unanswered earlier attempt of this request may still land, after whatever is
          // pushed next: its values are remembered like those of an unconfirmed push of an
          // earlier run (convergence seed 609: a batch update timed out, the retry succeeded,
          // the next local edit was pushed, then the first request landed and the pull took
          // its older value for a HubSpot change).
          if (res.unconfirmed_attempt)
            for (const auto& [p, v] : plans_[i].properties) items_[i].maybe_sent[p].insert(v);
          PushPlan props_only = plans_[i];
          props_only.assoc_add.clear();
          props_only.assoc_remove.clear();
          partial_base_[i] = base_after_push(props_only, items_[i].context.base, plans_[i].hubspot_id,
                                             res.lead ? res.lead->updated_at : std::nullopt);
        });
  }
  // A failed property update leaves its associations for the retry.
  std::vector<AssociationChange> assoc_reqs;
  std::vector<std::size_t> with_assoc;
  for (auto i : updates_) {
    if (outcomes_[i] || !has_assoc_change(i)) continue;
    assoc_reqs.push_back({plans_[i].hubspot_id, plans_[i].assoc_add, plans_[i].assoc_remove,
                          filter_mapped(mapping_, items_[i].context.local->associations)});
    with_assoc.push_back(i);
  }
  std::set<std::size_t> assoc_ok;
  if (!assoc_reqs.empty())
    co_await collect(remote_.change_associations(std::move(assoc_reqs)), by_id, with_assoc,
                     [&](std::size_t i, WriteResult&) { assoc_ok.insert(i); });
  settle_updates(assoc_ok);
}

void PushBatch::settle_updates(const std::set<std::size_t>& assoc_ok) {
  for (auto i : updates_) {
    auto base_it = partial_base_.find(i);
    if (outcomes_[i]) {
      // Properties reached HubSpot even though the associations did not: keep that in the base so only
      // the associations are retried.
      if (base_it != partial_base_.end()) {
        outcomes_[i]->new_base = base_it->second;
        add_pushed_properties(*outcomes_[i], plans_[i]);
      }
      continue;
    }
    if (has_assoc_change(i) && !assoc_ok.contains(i)) {
      fail(i, PushStatus::retry, "HubSpot did not confirm the association change");
      continue;
    }
    set_outcome(i, PushStatus::success, PushAction::update);
    auto& o = *outcomes_[i];
    o.hubspot_id = plans_[i].hubspot_id;
    std::optional<WallTime> updated_at;
    if (base_it != partial_base_.end()) updated_at = base_it->second.remote_updated_at;
    o.new_base = base_after_push(plans_[i], items_[i].context.base, plans_[i].hubspot_id, updated_at);
    add_pushed_properties(o, plans_[i]);
  }
}

net::awaitable<void> PushBatch::send_archives() {
  if (archives_.empty()) co_return;
  std::vector<std::string> ids;
  Index by_id;
  for (auto i : archives_) {
    ids.push_back(plans_[i].hubspot_id);
    by_id[plans_[i].hubspot_id] = i;
  }
  co_await collect(remote_.archive(std::move(ids)), by_id, archives_, [&](std::size_t i, WriteResult& res) {
    set_outcome(i, PushStatus::success, PushAction::archive);
    outcomes_[i]->hubspot_id = res.ref;
  });
}

std::vector<PushOutcome> PushBatch::tally(RunCounts& n) {
  std::vector<PushOutcome> done;
  done.reserve(items_.size());
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (!outcomes_[i]) fail(i, PushStatus::retry, "HubSpot returned no result for this lead");
    auto& o = *outcomes_[i];
    switch (o.status) {
      case PushStatus::success:
        // An earlier attempt of this push may still reach HubSpot with older values: the base remembers them.
        if (o.new_base && (!items_[i].maybe_sent.empty() || o.new_base->superseded_until))
          remember_superseded_writes(*o.new_base, items_[i].maybe_sent, clock_.now());
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
  return done;
}

}  // namespace leadsync::core
