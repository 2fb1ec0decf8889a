#include "leadsync/core/reconcile.hpp"

#include <algorithm>

namespace leadsync::core {

const char* to_string(Side s) noexcept {
  return s == Side::local ? "local" : "remote";
}

const char* to_string(PullAction a) noexcept {
  switch (a) {
    case PullAction::none:
      return "none";
    case PullAction::create_local:
      return "create_local";
    case PullAction::update_local:
      return "update_local";
    case PullAction::skip:
      return "skip";
  }
  return "unknown";
}

const char* to_string(SkipReason r) noexcept {
  switch (r) {
    case SkipReason::none:
      return "none";
    case SkipReason::archived_in_hubspot:
      return "archived_in_hubspot";
    case SkipReason::local_delete_pending:
      return "local_delete_pending";
    case SkipReason::late_copy_of_deleted_row:
      return "late_copy_of_deleted_row";
    case SkipReason::older_than_base:
      return "older_than_base";
    case SkipReason::row_missing_without_delete:
      return "row_missing_without_delete";
    case SkipReason::local_archive_pending:
      return "local_archive_pending";
    case SkipReason::archived_before_create_confirmed:
      return "archived_before_create_confirmed";
  }
  return "unknown";
}

const char* to_string(PushAction a) noexcept {
  switch (a) {
    case PushAction::none:
      return "none";
    case PushAction::create:
      return "create";
    case PushAction::update:
      return "update";
    case PushAction::archive:
      return "archive";
  }
  return "unknown";
}

namespace {

constexpr const char* kLeadNameProperty = "hs_lead_name";
// propertiesWithHistory's sourceType of a write made through the API by an app
// (docs/hubspot-api.md#properties-with-history).
constexpr const char* kIntegrationSource = "INTEGRATION";

// HubSpot stores at most 65,536 characters in a text property value set through the CRM (single-line and
// multi-line text; knowledge.hubspot.com "Property field types in HubSpot", Text input: "When the value is
// added through the CRM, the character limit is 65,536 characters"; docs/hubspot-api.md#property-values).
// Counted here in Unicode code points (if HubSpot counts UTF-16 units, a longer astral-plane value is still
// refused by HubSpot itself as a per-record error).
constexpr std::size_t kMaxPropertyChars = 65536;

std::size_t utf8_chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;  // count every byte that is not a continuation byte
  return n;
}

std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The form normalize_value gives every number it can read: -?digits(.digits)?. PostgreSQL's numeric and
// double precision also hold NaN, Infinity and -Infinity, which no HubSpot number property can store; such a
// value stays as PostgreSQL wrote it and must not be sent as if it were a number.
bool finite_decimal(std::string_view v) {
  if (!v.empty() && v.front() == '-') v.remove_prefix(1);
  const auto dot = v.find('.');
  const auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return dot == std::string_view::npos ? digits(v) : digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

const PropertyMapping* mapping_of(const SyncMapping& mapping, const std::string& property) {
  for (const auto& m : mapping.properties)
    if (m.property == property) return &m;
  return nullptr;
}

// Values HubSpot must refuse, found before anything is sent (a batch would otherwise carry them).
void check_pushable_values(const SyncMapping& mapping, const PushPlan& plan, std::string& failure) {
  auto add = [&](const std::string& why) { failure += (failure.empty() ? "" : "; ") + why; };
  for (const auto& [p, v] : plan.properties) {
    if (!v) continue;
    if (const PropertyMapping* m = mapping_of(mapping, p);
        m && m->type == PropertyType::number && !finite_decimal(*v))
      add("column " + m->column + " holds " + v->substr(0, 40) + ", which HubSpot's number property " + p +
          " cannot store (finite numbers only); not sent: set a number or NULL to sync this lead");
    const auto chars = utf8_chars(*v);
    if (chars > kMaxPropertyChars)
      add(p + " is " + with_thousands(chars) + " characters long: HubSpot accepts at most " +
          with_thousands(kMaxPropertyChars) + " characters in a property value");
  }
}

Value value_of(const PropertyValues& values, const std::string& property) {
  auto it = values.find(property);
  return it == values.end() ? std::nullopt : it->second;
}

template <typename Map>
std::optional<WallTime> time_of(const Map& times, const std::string& property) {
  auto it = times.find(property);
  if (it == times.end()) return std::nullopt;
  return it->second;
}

// Decides one property of one lead; keeps the bookkeeping of plan_pull in one place.
class PullPropertyDecider {
 public:
  PullPropertyDecider(const SyncPolicy& policy, const RemoteLead& remote, const LocalLead& local,
                      const BaseState* base, const PullContext& context, PullPlan& plan)
      : policy_(policy), remote_(remote), local_(local), base_(base), context_(context), plan_(plan) {}

  void decide(const PropertyMapping& m, const Value& r) {
    const auto& p = m.property;
    const Value l = value_of(local_.values, p);
    const bool has_base = base_ && base_->values.contains(p);
    const Value b = has_base ? base_->values.at(p) : std::nullopt;
    const bool local_changed = local_.changed_at.contains(p);
    // An open manual conflict is a local write too, even once the blocked push completed its outbox rows: the
    // row's value can only have moved since it was opened by being written. Seen as "no local change", a row
    // at the base value (the A -> B -> A case below) took HubSpot's value and the write was lost (seeds 55,
    // 983).
    const bool written_locally = local_changed || context_.open_manual_conflicts.contains(p);

    if (l == r) {
      agree(p, r);
      return;
    }
    switch (m.direction) {
      case Direction::pull:  // HubSpot is the source of truth for this column
        take_remote(p, l, r);
        return;
      case Direction::push:  // the row is the source of truth: HubSpot must mirror it
        if (has_base && l != b) {
          keep_local(p, local_changed);
        } else if (!has_base && !l) {
          // Never clear HubSpot because a column is new and still empty: adopt HubSpot's value as base.
          set_base(p, r);
        } else {
          set_base(p, r);  // remote drifted; recording it as base makes the push phase send the local value
          keep_local(p, /*local_changed=*/false);
        }
        return;
      case Direction::both:
        break;
    }
    if (has_base && r != b && is_own_stale_write(p, r, b)) {
      // HubSpot holds the value now, so it becomes the base; the row's value (newer, whatever happened to it
      // since) differs from it and is pushed again. Taken for a HubSpot change, it overwrote a newer local
      // write.
      set_base(p, r);
      keep_local(p, local_changed);
      plan_.stale_own_writes.push_back(p);
      return;
    }
    if (!has_base) {
      // Never synced (newly mapped, or a row linked by unique key): without a local edit HubSpot's value is
      // the synced one; with a local edit both sides changed from an unknown base.
      if (!written_locally) {
        take_remote(p, l, r);
      } else {
        conflict(p, b, l, r, has_base);
      }
      return;
    }
    // Only HubSpot's side differs from the base and an open manual conflict's local side is a write (above),
    // so it stays open. Only the row's side differs: HubSpot went back to the base, the conflict is moot and
    // settled; left open it would block the push for good.
    if (l == b && written_locally) {
      // The row was written back to the base value (A -> B -> A) while HubSpot's value changed: both sides
      // wrote, so it is a conflict and the policy decides. Taken for "changed in HubSpot only", the newer
      // local write was lost, under every policy: with newest_wins when HubSpot's write was older (seed 84),
      // with local_wins when HubSpot's value was leadsync's own push of B, cut off by a kill and landed late
      // (seed 222).
      conflict(p, b, l, r, has_base);
    } else if (l == b) {
      take_remote(p, l, r);  // changed in HubSpot only
    } else if (r == b) {
      keep_local(p, local_changed);  // changed locally only: the push phase sends it
      settle_open_conflict(p);
    } else {
      conflict(p, b, l, r, has_base);
    }
  }

 private:
  // Whether HubSpot's value `r` of `p` is leadsync's own superseded write arriving late (seed 267: a killed
  // run's PATCH landed after the next run had pushed a newer local edit): one of the values an unconfirmed
  // push may have sent (BaseState::superseded), written by an integration (by the same app as the base value,
  // when the history still shows that one) up to the horizon. A person's edit (CRM_UI, IMPORT, ...) or
  // another app's is a HubSpot change like any other. List and search return no history: the lead is then to
  // be read again with it (needs_history) and decided as usual meanwhile.
  bool is_own_stale_write(const std::string& p, const Value& r, const Value& b) {
    auto s = base_->superseded.find(p);
    if (s == base_->superseded.end() || !s->second.contains(r)) return false;
    auto h = remote_.history.find(p);
    if (h == remote_.history.end() || h->second.empty()) {
      plan_.needs_history = true;
      return false;
    }
    const PropertyChange& latest = h->second.front();
    if (latest.value != r || latest.source_type != kIntegrationSource) return false;
    if (base_->superseded_until && latest.at && *latest.at > *base_->superseded_until) return false;
    for (auto e = std::next(h->second.begin()); e != h->second.end(); ++e)
      if (e->value == b && e->source_type == kIntegrationSource) return e->source_id == latest.source_id;
    return true;
  }

  std::optional<WallTime> remote_time(const std::string& p) const {
    if (auto t = time_of(remote_.changed_at, p)) return t;
    return remote_.updated_at;
  }

  void set_base(const std::string& p, const Value& v) {
    plan_.new_base.values[p] = v;
    if (auto t = remote_time(p)) plan_.new_base.changed_at[p] = *t;
  }

  void settle_open_conflict(const std::string& p) {
    if (context_.open_manual_conflicts.contains(p)) plan_.resolved_conflicts.push_back(p);
  }

  void agree(const std::string& p, const Value& v) {
    set_base(p, v);
    settle_open_conflict(p);
  }

  void take_remote(const std::string& p, const Value& l, const Value& r) {
    if (l != r) plan_.local_updates[p] = r;
    set_base(p, r);
  }

  void keep_local(const std::string& p, bool local_changed) {
    plan_.push_properties.push_back(p);
    // A local value that differs from the base without a pending outbox entry (e.g. an earlier push FAILED,
    // or HubSpot drifted on a push-only property) needs one, or nothing would ever send it.
    if (!local_changed) plan_.enqueue_push = true;
  }

  void conflict(const std::string& p, const Value& b, const Value& l, const Value& r, bool has_base) {
    ConflictRecord c;
    c.property = p;
    c.base = b;
    c.local = l;
    c.remote = r;
    c.local_changed_at = time_of(local_.changed_at, p);
    c.remote_changed_at = remote_time(p);
    c.policy = policy_.conflict_policy;

    std::optional<Side> winner;
    bool operator_choice = false;
    if (auto it = context_.manual_resolutions.find(p); it != context_.manual_resolutions.end()) {
      winner = it->second;
      operator_choice = true;
    } else {
      switch (policy_.conflict_policy) {
        case ConflictPolicy::remote_wins:
          winner = Side::remote;
          break;
        case ConflictPolicy::local_wins:
          winner = Side::local;
          break;
        case ConflictPolicy::newest_wins:
          // Ties go to HubSpot: its timestamp is authoritative, ours is when the change was captured.
          winner =
              (c.local_changed_at && (!c.remote_changed_at || *c.local_changed_at > *c.remote_changed_at))
                  ? Side::local
                  : Side::remote;
          break;
        case ConflictPolicy::manual:
          break;
      }
    }
    c.winner = winner;

    if (winner == Side::remote) {
      take_remote(p, l, r);
      settle_open_conflict(p);
    } else if (winner == Side::local) {
      if (!has_base || l == b) set_base(p, r);  // so that the push phase sees local != base and sends it
      plan_.push_properties.push_back(p);
      plan_.enqueue_push = true;
      settle_open_conflict(p);
    }
    // Manual and already recorded: nothing new to say. Operator choices are recorded with their outcome.
    if (winner || operator_choice || !context_.open_manual_conflicts.contains(p))
      plan_.conflicts.push_back(c);
  }

  const SyncPolicy& policy_;
  const RemoteLead& remote_;
  const LocalLead& local_;
  const BaseState* base_;
  const PullContext& context_;
  PullPlan& plan_;
};

AssociationSet set_union(const AssociationSet& a, const AssociationSet& b) {
  AssociationSet out = a;
  out.insert(b.begin(), b.end());
  return out;
}

AssociationSet set_intersection(const AssociationSet& a, const AssociationSet& b) {
  AssociationSet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

AssociationSet set_difference(const AssociationSet& a, const AssociationSet& b) {
  AssociationSet out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

void plan_pull_associations(const SyncMapping& mapping, const RemoteLead& remote, const LocalLead& local,
                            const BaseState* base, PullPlan& plan) {
  const AssociationSet R = filter_mapped(mapping, *remote.associations);
  const AssociationSet L = filter_mapped(mapping, local.associations);
  // Unknown base: treat what both sides share as synced, so nothing is removed on either side and what
  // only one side has is propagated to the other (a union: no association is lost).
  const AssociationSet B =
      (base && base->associations) ? filter_mapped(mapping, *base->associations) : set_intersection(L, R);
  AssociationSet new_base;
  for (const auto& e : set_union(set_union(L, R), B)) {
    const bool l = L.contains(e), r = R.contains(e), b = B.contains(e);
    if (l == r) {
      if (r) new_base.insert(e);
    } else if (l == b) {  // changed in HubSpot
      (r ? plan.local_assoc_add : plan.local_assoc_remove).insert(e);
      if (r) new_base.insert(e);
    } else {  // changed locally: stays for the push phase
      if (b) new_base.insert(e);
      plan.push_associations = true;
      if (!local.associations_changed) plan.enqueue_push = true;
    }
  }
  plan.new_base.associations = new_base;
}

}  // namespace

PullPlan plan_pull(const SyncMapping& mapping, const SyncPolicy& policy, const RemoteLead& remote,
                   const PullContext& context) {
  PullPlan plan;
  plan.hubspot_id = remote.id;
  const BaseState* base = context.base ? &*context.base : nullptr;
  const LocalLead* local = context.local ? &*context.local : nullptr;

  if (remote.archived) {
    plan.action = PullAction::skip;
    plan.skip = SkipReason::archived_in_hubspot;
    plan.skip_reason = "archived in HubSpot (handled as a remote delete)";
    return plan;
  }
  if (context.local_delete_pending) {
    plan.action = PullAction::skip;
    plan.skip = SkipReason::local_delete_pending;
    plan.skip_reason = "deleted locally; the delete has not reached HubSpot yet";
    return plan;
  }
  if (context.deleted_row) {
    plan.action = PullAction::skip;
    plan.delete_remote_copy_of = context.deleted_row;
    plan.skip = SkipReason::late_copy_of_deleted_row;
    plan.skip_reason =
        "a late copy of a lead deleted locally (its create reached HubSpot after the delete); "
        "deleted in HubSpot";
    return plan;
  }

  if (base && base->remote_updated_at && remote.updated_at && *remote.updated_at < *base->remote_updated_at) {
    // HubSpot's search index lags behind its writes: a search can return the lead as it was before our last
    // sync (e.g. before the push we just made). That snapshot is not a change made in HubSpot; reconciling it
    // would revert the row or invent a conflict. A later read shows the current state.
    plan.action = PullAction::skip;
    plan.skip = SkipReason::older_than_base;
    plan.skip_reason = "HubSpot returned an older version than the last synced one (search index lag)";
    return plan;
  }

  plan.new_base = base ? *base : BaseState{};
  plan.new_base.hubspot_id = remote.id;
  if (remote.updated_at) plan.new_base.remote_updated_at = remote.updated_at;

  if (!local) {
    if (base) {
      // Synced before, row gone, and no captured delete: the capture triggers were bypassed. Recreating the
      // row could resurrect a deliberate delete, so leave it for an operator (reported, counted).
      plan.action = PullAction::skip;
      plan.skip = SkipReason::row_missing_without_delete;
      plan.skip_reason = "row missing locally but no delete was captured (triggers bypassed?)";
      return plan;
    }
    plan.action = PullAction::create_local;
    for (const auto& m : mapping.properties) {
      auto it = remote.values.find(m.property);
      if (it == remote.values.end() || !m.pulls()) continue;  // push-only columns start empty locally
      plan.local_updates[m.property] = it->second;
      plan.new_base.values[m.property] = it->second;
      if (auto t = time_of(remote.changed_at, m.property))
        plan.new_base.changed_at[m.property] = *t;
      else if (remote.updated_at)
        plan.new_base.changed_at[m.property] = *remote.updated_at;
    }
    if (remote.associations && !mapping.associations.empty()) {
      plan.local_assoc_add = filter_mapped(mapping, *remote.associations);
      plan.new_base.associations = plan.local_assoc_add;
    }
    return plan;
  }

  plan.row_id = local->row_id;
  if (!local->hubspot_id) plan.link_row = true;
  if (local->archived) {
    if (base) {
      plan.action = PullAction::skip;
      plan.skip = SkipReason::local_archive_pending;
      plan.skip_reason = "archived locally; the archive has not reached HubSpot yet";
      return plan;
    }
    if (!local->hubspot_id) {
      // Found by its unique key: a create that reached HubSpot unconfirmed, of a row archived locally since.
      // The push deletes that copy; restoring the row would undo the local archive.
      plan.action = PullAction::skip;
      plan.skip = SkipReason::archived_before_create_confirmed;
      plan.skip_reason = "archived locally before its create was confirmed; the push deletes it in HubSpot";
      return plan;
    }
    plan.set_archived = false;  // archived after a remote delete, and now restored in HubSpot
  }

  PullPropertyDecider decider(policy, remote, *local, base, context, plan);
  for (const auto& m : mapping.properties) {
    auto it = remote.values.find(m.property);
    if (it != remote.values.end()) decider.decide(m, it->second);
  }
  if (remote.associations && !mapping.associations.empty())
    plan_pull_associations(mapping, remote, *local, base, plan);

  const bool local_writes = plan.link_row || plan.set_archived || !plan.local_updates.empty() ||
                            !plan.local_assoc_add.empty() || !plan.local_assoc_remove.empty();
  plan.action = local_writes ? PullAction::update_local : PullAction::none;
  plan.echo = !local_writes && plan.conflicts.empty() && plan.stale_own_writes.empty() && base &&
              base->remote_updated_at && remote.updated_at && *remote.updated_at >= *base->remote_updated_at;
  return plan;
}

PushPlan plan_push(const SyncMapping& mapping, const PushContext& context) {
  PushPlan plan;
  if (!context.local) {
    std::optional<std::string> id =
        context.base ? std::optional(context.base->hubspot_id) : context.deleted_hubspot_id;
    if (!id || id->empty()) {
      plan.reason = "deleted locally before it ever reached HubSpot";
      return plan;
    }
    plan.action = PushAction::archive;
    plan.hubspot_id = *id;
    return plan;
  }
  const LocalLead& local = *context.local;
  if (local.archived) {
    if (local.hubspot_id && context.base) {
      plan.action = PushAction::archive;
      plan.hubspot_id = *local.hubspot_id;
    } else if (context.deleted_hubspot_id && !context.deleted_hubspot_id->empty() &&
               context.deleted_hubspot_id != local.hubspot_id) {
      // Another HubSpot lead than the row's own: a late copy of this row's create, queued by the pull.
      plan.action = PushAction::archive;
      plan.hubspot_id = *context.deleted_hubspot_id;
    } else {
      plan.reason =
          local.hubspot_id ? "already deleted in HubSpot" : "archived locally before it reached HubSpot";
    }
    return plan;
  }

  if (!local.hubspot_id) {
    plan.action = PushAction::create;
    for (const auto& m : mapping.properties) {
      if (!m.pushes() && m.property != kLeadNameProperty) continue;
      if (auto v = value_of(local.values, m.property)) plan.properties[m.property] = v;
    }
    plan.assoc_add = filter_mapped(mapping, local.associations);
    if (!plan.properties.contains(kLeadNameProperty))
      plan.failure = "the lead name (hs_lead_name) is empty: HubSpot requires one to create a lead";
    if (!has_primary_association(plan.assoc_add)) {
      if (!plan.failure.empty()) plan.failure += "; ";
      plan.failure +=
          "no primary association: HubSpot creates a lead only with a primary contact (type 578) or company "
          "(type 580); insert that row into the associations table in the same transaction as the lead";
    }
    check_pushable_values(mapping, plan, plan.failure);
    return plan;
  }

  plan.action = PushAction::update;
  plan.hubspot_id = *local.hubspot_id;
  const BaseState* base = context.base ? &*context.base : nullptr;
  for (const auto& m : mapping.properties) {
    if (!m.pushes() || context.blocked_properties.contains(m.property)) continue;
    const Value l = value_of(local.values, m.property);
    if (base && base->values.contains(m.property)) {
      if (l != base->values.at(m.property)) plan.properties[m.property] = l;
    } else if (local.changed_at.contains(m.property)) {
      plan.properties[m.property] = l;
    }
  }
  if (!mapping.associations.empty()) {
    const AssociationSet L = filter_mapped(mapping, local.associations);
    if (base && base->associations) {
      const AssociationSet B = filter_mapped(mapping, *base->associations);
      plan.assoc_add = set_difference(L, B);
      plan.assoc_remove = set_difference(B, L);
    } else if (local.associations_changed) {
      plan.assoc_add = L;
    }
  }
  if (plan.properties.empty() && plan.assoc_add.empty() && plan.assoc_remove.empty()) {
    plan.action = PushAction::none;
    plan.reason = "the row already matches the last synced state";
    return plan;
  }
  // Clearing the name would be refused by HubSpot (a lead must have one): fail it here, send nothing.
  if (auto it = plan.properties.find(kLeadNameProperty);
      it != plan.properties.end() && (!it->second || it->second->empty()))
    plan.failure =
        "the lead name (hs_lead_name) was cleared: HubSpot requires one on every lead; set a name to sync "
        "this lead again";
  check_pushable_values(mapping, plan, plan.failure);
  return plan;
}

void remember_superseded_writes(BaseState& base, const std::map<std::string, std::set<Value>>& maybe_sent,
                                WallTime now) {
  if (base.superseded_until && *base.superseded_until < now) {
    base.superseded.clear();
    base.superseded_until.reset();
  }
  // A value equal to what HubSpot was just confirmed to hold is kept too: harmless now (the pull consults
  // these only when HubSpot's value differs from the base), it is what a late request would set over the next
  // push (convergence seed 609).
  bool added = false;
  for (const auto& [p, values] : maybe_sent) {
    for (const auto& v : values) {
      base.superseded[p].insert(v);
      added = true;
    }
  }
  if (added) base.superseded_until = now + kSupersededWriteHorizon;
}

BaseState base_after_push(const PushPlan& plan, const std::optional<BaseState>& old_base,
                          const std::string& hubspot_id, std::optional<WallTime> remote_updated_at) {
  BaseState b = old_base.value_or(BaseState{});
  b.hubspot_id = hubspot_id;
  if (remote_updated_at) b.remote_updated_at = remote_updated_at;
  if (plan.action != PushAction::create && plan.action != PushAction::update) return b;
  for (const auto& [p, v] : plan.properties) {
    b.values[p] = v;
    if (remote_updated_at) b.changed_at[p] = *remote_updated_at;
  }
  if (plan.action == PushAction::create) {
    b.associations = plan.assoc_add;
  } else if (!plan.assoc_add.empty() || !plan.assoc_remove.empty()) {
    AssociationSet a = b.associations.value_or(AssociationSet{});
    for (const auto& e : plan.assoc_remove) a.erase(e);
    a.insert(plan.assoc_add.begin(), plan.assoc_add.end());
    b.associations = a;
  }
  return b;
}

}  // namespace leadsync::core
