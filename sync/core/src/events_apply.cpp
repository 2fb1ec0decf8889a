// Applying webhook events: the inbox is drained in batches; each batch's leads are read from HubSpot (batch
// read, association batch read) and go through the same page application as polled leads, so duplicates
// and delivery order do not matter. The events are marked applied only after their leads are; a cycle
// that fails or is stopped midway leaves them in the inbox and the next cycle applies them again (the
// three-way reconcile makes that harmless).
#include <spdlog/spdlog.h>

#include <set>

#include "engine_cycle.hpp"
#include "leadsync/core/offload.hpp"

namespace leadsync::core {

namespace {

constexpr std::size_t kEventBatch = 1000;        // events taken from the inbox at a time
constexpr std::size_t kReadChunk = 100;          // batch read limit
constexpr std::size_t kAssociationChunk = 1000;  // association batch read limit

template <typename Set>
std::vector<std::vector<std::string>> chunks(const Set& ids, std::size_t size) {
  std::vector<std::vector<std::string>> out;
  for (const auto& id : ids) {
    if (out.empty() || out.back().size() == size) out.emplace_back();
    out.back().push_back(id);
  }
  return out;
}

}  // namespace

net::awaitable<void> SyncEngine::apply_events(Cycle& c) {
  enter(c, ApiActivity::events);
  while (!stop_requested()) {
    auto events = co_await run_blocking(store_executor_, [&] { return store_.pending_events(kEventBatch); });
    if (events.empty()) break;
    const EventPlan plan = plan_events(options_.mapping, events);
    std::set<std::string> known;
    for (const auto& e : events)
      if (e.known) known.insert(e.object_id);
    co_await apply_event_plan(c, plan, known);
    c.report.events_applied += static_cast<std::int64_t>(events.size());
    c.report.events_needless += static_cast<std::int64_t>(plan.needless);
    spdlog::debug("applied {} webhook event(s): {} lead(s) read, {} association set(s), {} needed no read",
                  events.size(), plan.read.size(), plan.associations.size(), plan.needless);
    // A dry run marks nothing, so the same events would come back: one batch shows what they would do.
    if (c.dry_run() || stop_requested()) break;
    std::vector<std::int64_t> ids;
    ids.reserve(events.size());
    for (const auto& e : events) ids.push_back(e.event_id);
    co_await run_blocking(store_executor_, [&] { store_.mark_events_applied(ids); });
    if (events.size() < kEventBatch) break;
  }
  // Leads PostgreSQL refused are read again by the next cycles, like those of a poll.
  if (!c.pull_failed.empty() && !c.dry_run())
    co_await engine_detail::save_pull_retry(store_, store_executor_, c.pull_failed, /*merge=*/true);
}

net::awaitable<void> SyncEngine::apply_event_plan(Cycle& c, const EventPlan& plan,
                                                  const std::set<std::string>& known) {
  // Associations first: a lead none of whose mapped associations remain is absent from the answer, as is a
  // lead that is gone; the batch read below tells the two apart.
  std::set<std::string> to_read = plan.read;
  std::set<std::string> no_associations;
  std::vector<RemoteLead> association_page;
  for (auto& chunk : chunks(plan.associations, kAssociationChunk)) {
    auto sets = co_await remote_.read_associations(chunk);
    for (auto& id : chunk) {
      auto it = sets.find(id);
      if (it == sets.end()) {
        no_associations.insert(id);
        to_read.insert(id);
      } else {
        association_page.push_back(RemoteLead{.id = id, .associations = std::move(it->second)});
        if (!known.contains(id)) to_read.insert(id);  // a new lead: its row comes from the read
      }
    }
  }
  to_read.insert(plan.merged_away.begin(), plan.merged_away.end());

  std::set<std::string> gone;
  for (auto& chunk : chunks(to_read, kReadChunk)) {
    auto read = co_await remote_.read(chunk, /*with_history=*/false);
    for (const auto& lead : read.found)
      if (no_associations.contains(lead.id) && !lead.archived)
        association_page.push_back(RemoteLead{.id = lead.id, .associations = AssociationSet{}});
    co_await process_pull_page(c, std::move(read.found), std::nullopt);
    gone.insert(read.missing.begin(), read.missing.end());
    if (stop_requested()) co_return;
  }
  // The association-only leads after the reads: a new lead's row exists by now.
  std::erase_if(association_page, [&](const RemoteLead& l) { return gone.contains(l.id); });
  co_await process_pull_page(c, std::move(association_page), std::nullopt);

  for (const auto& id : gone)
    if (plan.merged_away.contains(id))
      spdlog::info(
          "lead {} was merged into another lead in HubSpot: its row is handled like a lead deleted in "
          "HubSpot "
          "(sync.on_remote_delete); the lead it was merged into keeps syncing",
          id);
  co_await apply_remote_deletes(c, std::vector<std::string>(gone.begin(), gone.end()));
}

net::awaitable<void> SyncEngine::prune_events(Cycle& c) {
  if (c.dry_run()) co_return;
  const WallTime before = clock_.now() - options_.event_retention;
  const auto pruned = co_await run_blocking(store_executor_, [&] { return store_.prune_events(before); });
  if (pruned) spdlog::debug("pruned {} applied webhook event(s)", pruned);
}

}  // namespace leadsync::core
