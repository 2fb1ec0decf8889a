#include "leadsync/testing/memory_store.hpp"

#include <algorithm>

namespace leadsync::testing {

using namespace leadsync::core;

std::int64_t MemoryStore::insert_row(PropertyValues values, AssociationSet associations) {
  const auto id = next_row_++;
  LocalLead row;
  row.row_id = id;
  row.sync_key = "key-" + std::to_string(id);
  row.values = std::move(values);
  row.associations = std::move(associations);
  row.associations_changed = !row.associations.empty();
  for (const auto& [p, v] : row.values) row.changed_at[p] = clock_.now();
  rows[id] = std::move(row);
  enqueue(id);
  return id;
}

void MemoryStore::edit_row(std::int64_t row_id, const std::string& property, Value value) {
  auto& row = rows.at(row_id);
  row.values[property] = std::move(value);
  row.changed_at[property] = clock_.now();
  enqueue(row_id);
}

void MemoryStore::delete_row(std::int64_t row_id) {
  auto row = rows.at(row_id);
  rows.erase(row_id);
  enqueue(row_id);
  outbox[row_id].deleted_hubspot_id = row.hubspot_id;
  outbox[row_id].deleted_sync_key = row.sync_key;
}

void MemoryStore::enqueue(std::int64_t row_id) {
  auto& p = outbox[row_id];
  p.change_ids.push_back(next_change_++);
  p.next_attempt_at.reset();  // a new change is due now
  closed.erase(row_id);
}

const LocalLead* MemoryStore::row_by_hubspot_id(const std::string& hubspot_id) const {
  for (const auto& [id, row] : rows)
    if (row.hubspot_id == hubspot_id) return &row;
  return nullptr;
}

std::optional<std::int64_t> MemoryStore::find_row(const RemoteLead& lead) const {
  for (const auto& [id, row] : rows)
    if (row.hubspot_id == lead.id) return id;
  if (lead.unique_key)
    for (const auto& [id, row] : rows)
      if (!row.hubspot_id && row.sync_key == *lead.unique_key) return id;
  return std::nullopt;
}

PullApplyResult MemoryStore::apply_pull(const std::vector<RemoteLead>& leads, const PullPlanner& planner,
                                        const PullApplyOptions& options) {
  ++apply_pull_calls;
  PullApplyResult out;
  std::vector<PullPlan> plans;
  for (const auto& lead : leads) {
    PullContext ctx;
    const auto row = find_row(lead);
    if (row) {
      ctx.local = rows.at(*row);
      if (auto b = base.find(*row); b != base.end()) ctx.base = b->second;
    }
    for (const auto& [id, p] : outbox) {
      if (p.deleted_hubspot_id == lead.id) ctx.local_delete_pending = true;
      if (!p.deleted_hubspot_id && lead.unique_key && p.deleted_sync_key == *lead.unique_key &&
          !rows.contains(id))
        ctx.deleted_row = id;
    }
    plans.push_back(planner(lead, ctx));
  }
  // The whole call is one transaction: a lead that needs more defers all of them.
  if (options.needs_more)
    for (std::size_t i = 0; i < leads.size(); ++i)
      if (options.needs_more(leads[i], plans[i])) out.needs_more_ids.push_back(leads[i].id);
  if (!out.needs_more_ids.empty()) {
    for (std::size_t i = 0; i < leads.size(); ++i) out.deferred.push_back(i);
    return out;
  }
  if (!options.dry_run && options.save_state) state[options.save_state->first] = options.save_state->second;
  for (std::size_t i = 0; i < leads.size(); ++i) {
    if (auto r = refused_.find(leads[i].id); r != refused_.end()) {
      out.failed.emplace_back(leads[i].id, "PostgreSQL refused the local write: " + r->second);
      plans[i].action = PullAction::skip;
      plans[i].skip_reason = "local write refused";
      refused_.erase(r);
      continue;
    }
    if (options.dry_run) continue;
    if (options.sweep_id) seen_[*options.sweep_id].insert(leads[i].id);
    write_plan(leads[i], plans[i]);
  }
  out.plans = std::move(plans);
  return out;
}

void MemoryStore::write_plan(const RemoteLead& lead, const PullPlan& plan) {
  if (plan.action == PullAction::skip) return;
  std::int64_t id = 0;
  if (plan.action == PullAction::create_local) {
    id = next_row_++;
    LocalLead row;
    row.row_id = id;
    row.hubspot_id = lead.id;
    row.sync_key = lead.unique_key.value_or("key-" + std::to_string(id));
    rows[id] = std::move(row);
  } else if (plan.row_id) {
    id = *plan.row_id;
  } else {
    return;
  }
  auto& row = rows.at(id);
  if (plan.link_row) row.hubspot_id = lead.id;
  if (plan.set_archived) row.archived = *plan.set_archived;
  for (const auto& [p, v] : plan.local_updates) row.values[p] = v;
  for (const auto& a : plan.local_assoc_add) row.associations.insert(a);
  for (const auto& a : plan.local_assoc_remove) row.associations.erase(a);
  base[id] = plan.new_base;
  if (plan.enqueue_push && !outbox.contains(id)) enqueue(id);
}

RemoteDeleteResult MemoryStore::apply_remote_deletes(const std::vector<std::string>& hubspot_ids,
                                                     RemoteDeletePolicy policy, bool dry_run) {
  RemoteDeleteResult out;
  for (const auto& hid : hubspot_ids) {
    const LocalLead* row = row_by_hubspot_id(hid);
    if (!row || row->archived) continue;
    out.affected.push_back(hid);
    const auto id = row->row_id;
    if (policy == RemoteDeletePolicy::archive)
      ++out.archived_local;
    else
      ++out.deleted_local;
    if (outbox.contains(id)) ++out.ignored_changes;
    if (dry_run) continue;
    outbox.erase(id);
    base.erase(id);
    if (policy == RemoteDeletePolicy::archive)
      rows.at(id).archived = true;
    else
      rows.erase(id);
  }
  return out;
}

std::vector<std::string> MemoryStore::unseen_by_sweep(std::int64_t sweep_id,
                                                      const std::optional<std::string>& after,
                                                      std::size_t limit) {
  std::vector<std::string> ids;
  for (const auto& [id, b] : base) {
    auto r = rows.find(id);
    if (r == rows.end() || r->second.archived || seen_[sweep_id].contains(b.hubspot_id)) continue;
    if (after && b.hubspot_id <= *after) continue;
    ids.push_back(b.hubspot_id);
  }
  std::sort(ids.begin(), ids.end());
  if (ids.size() > limit) ids.resize(limit);
  return ids;
}

std::vector<std::string> MemoryStore::synced_ids(const std::optional<std::string>& after, std::size_t limit) {
  std::vector<std::string> ids;
  for (const auto& [id, b] : base)
    if (rows.contains(id) && !rows.at(id).archived && (!after || b.hubspot_id > *after))
      ids.push_back(b.hubspot_id);
  std::sort(ids.begin(), ids.end());
  if (ids.size() > limit) ids.resize(limit);
  return ids;
}

std::vector<PushItem> MemoryStore::claim_push(std::size_t max_leads, bool dry_run) {
  std::vector<PushItem> items;
  for (auto& [id, p] : outbox) {
    if (items.size() >= max_leads) break;
    if (p.next_attempt_at && *p.next_attempt_at > clock_.now()) continue;
    PushItem item;
    item.lead_id = id;
    item.change_ids = p.change_ids;
    item.attempts = p.attempts + 1;
    item.in_doubt = p.pending;
    item.context.deleted_hubspot_id = p.deleted_hubspot_id;
    item.sync_key = p.deleted_sync_key;
    if (auto r = rows.find(id); r != rows.end()) {
      item.context.local = r->second;
      item.sync_key = r->second.sync_key;
    }
    if (auto b = base.find(id); b != base.end()) item.context.base = b->second;
    if (p.pending) item.maybe_sent = p.claimed_values;
    if (!dry_run) {
      p.pending = true;
      ++p.attempts;
      if (item.context.local)
        for (const auto& [prop, at] : item.context.local->changed_at)
          p.claimed_values[prop].insert(item.context.local->values[prop]);
    }
    items.push_back(std::move(item));
  }
  return items;
}

void MemoryStore::complete_push(const std::vector<PushOutcome>& done) {
  for (const auto& o : done) {
    outcomes.push_back(o);
    auto& p = outbox.at(o.lead_id);
    auto row = rows.find(o.lead_id);
    if (o.status == PushStatus::success || o.status == PushStatus::merged ||
        o.status == PushStatus::ignored) {
      if (o.status == PushStatus::success && o.action == PushAction::archive)
        base.erase(o.lead_id);
      else if (o.new_base && o.status != PushStatus::ignored)
        base[o.lead_id] = *o.new_base;
      if (row != rows.end()) {
        if (o.hubspot_id && o.action != PushAction::archive) row->second.hubspot_id = o.hubspot_id;
        row->second.changed_at.clear();
        row->second.associations_changed = false;
      }
      outbox.erase(o.lead_id);
      closed[o.lead_id] = {o.status, o.error};
      continue;
    }
    if (o.new_base) base[o.lead_id] = *o.new_base;  // properties confirmed, associations not
    if (o.status == PushStatus::failed) {
      closed[o.lead_id] = {o.status, o.error};
      p.next_attempt_at = core::WallTime::max();  // FAILED: only requeue_failed brings it back
      p.pending = false;
    } else {
      p.pending = true;
      p.next_attempt_at = o.next_attempt_at;
    }
  }
}

std::size_t MemoryStore::requeue_failed() {
  std::size_t n = 0;
  for (auto& [id, p] : outbox)
    if (p.next_attempt_at == core::WallTime::max()) {
      p.next_attempt_at.reset();
      p.attempts = 0;
      closed.erase(id);
      ++n;
    }
  return n;
}

std::vector<core::InboxEvent> MemoryStore::pending_events(std::size_t limit) {
  std::vector<core::InboxEvent> out;
  for (const auto& e : inbox) {
    if (out.size() == limit) break;
    if (applied_events.contains(e.event_id)) continue;
    core::InboxEvent copy = e;
    copy.known = false;
    copy.base_value.reset();
    for (const auto& [row_id, b] : base) {
      if (b.hubspot_id != e.object_id) continue;
      copy.known = true;
      if (auto it = b.values.find(e.property); it != b.values.end()) copy.base_value = it->second;
    }
    out.push_back(std::move(copy));
  }
  return out;
}

void MemoryStore::mark_events_applied(const std::vector<std::int64_t>& event_ids) {
  for (auto id : event_ids) applied_events.emplace(id, clock_.now());
}

std::size_t MemoryStore::prune_events(core::WallTime before) {
  std::size_t pruned = 0;
  std::erase_if(inbox, [&](const core::InboxEvent& e) {
    auto it = applied_events.find(e.event_id);
    if (it == applied_events.end() || it->second >= before) return false;
    ++pruned;
    return true;
  });
  return pruned;
}

std::optional<std::string> MemoryStore::load_state(const std::string& key) {
  auto it = state.find(key);
  if (it == state.end()) return std::nullopt;
  return it->second;
}

}  // namespace leadsync::testing
