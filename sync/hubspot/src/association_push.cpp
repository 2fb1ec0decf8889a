#include "association_push.hpp"

#include <algorithm>
#include <utility>

#include "leadsync/hubspot/leads_remote.hpp"
#include "query.hpp"

namespace leadsync::hubspot::detail {

namespace {

using PairId = std::pair<std::string, std::string>;  // target object type, target record id

// The types one change adds to, and removes from, each pair it touches.
struct PairChange {
  std::set<int> add;
  std::set<int> remove;
  bool wanted = false;  // the pair has a type in `desired` (or gets one added)
};

std::map<PairId, PairChange> pairs_of(const core::AssociationChange& c) {
  std::map<PairId, PairChange> out;
  for (const auto& a : c.add) out[{a.to_object_type, a.to_object_id}].add.insert(a.type_id);
  for (const auto& a : c.remove) out[{a.to_object_type, a.to_object_id}].remove.insert(a.type_id);
  for (auto& entry : out) {
    const PairId& pair = entry.first;
    PairChange& p = entry.second;
    p.wanted =
        !p.add.empty() || std::any_of(c.desired.begin(), c.desired.end(), [&](const core::AssociationKey& d) {
          return d.to_object_type == pair.first && d.to_object_id == pair.second;
        });
  }
  return out;
}

bool needs_read(const PairChange& p) {
  return !p.add.empty() || !p.wanted;
}

bool is_mapped(const core::SyncMapping& mapping, const std::string& to_type, int type_id) {
  return std::any_of(mapping.associations.begin(), mapping.associations.end(),
                     [&](const core::AssociationMapping& m) {
                       return m.to_object_type == to_type &&
                              std::find(m.type_ids.begin(), m.type_ids.end(), type_id) != m.type_ids.end();
                     });
}

// Every type HubSpot has between the lead and the record (empty when they are not associated).
std::set<int> current_types(const CurrentAssociations& current, const std::string& lead, const PairId& pair) {
  std::set<int> out;
  auto type = current.find(pair.first);
  if (type == current.end()) return out;
  auto objects = type->second.find(lead);
  if (objects == type->second.end()) return out;
  for (const auto& o : objects->second)
    if (o.to_id == pair.second) out.insert(o.type_ids.begin(), o.type_ids.end());
  return out;
}

// Specs for `types`, or nullopt (and the type noted in plan.unknown_types) when a category is unknown.
std::optional<std::vector<AssociationSpec>> specs_for(const std::set<int>& types, const std::string& to_type,
                                                      const TypeCategories& categories, WritePlan& plan,
                                                      int& unknown) {
  std::vector<AssociationSpec> specs;
  auto known = categories.find(to_type);
  for (int t : types) {
    const std::string* category = nullptr;
    if (known != categories.end())
      if (auto it = known->second.find(t); it != known->second.end()) category = &it->second;
    if (!category) {
      plan.unknown_types.insert(to_type);
      unknown = t;
      return std::nullopt;
    }
    specs.push_back({*category, t});
  }
  return specs;
}

core::Error unknown_type_error(const std::string& to_type, int type_id) {
  return core::record_error("association type " + std::to_string(type_id) + " to " + quoted(to_type) +
                            " is not one HubSpot lists for leads (GET .../labels); not sent");
}

// The record ids a per-input error of an association batch names.
std::vector<std::string> error_lead_ids(const BatchError& e) {
  std::vector<std::string> out = e.ids();
  for (const char* key : {"fromObjectId", "fromObjectIds"})
    if (auto it = e.context.find(key); it != e.context.end())
      out.insert(out.end(), it->second.begin(), it->second.end());
  return out;
}

}  // namespace

bool is_unlabeled_lead_association(const std::string& to_object_type, int type_id) {
  return (to_object_type == "contacts" && type_id == 608) ||
         (to_object_type == "companies" && type_id == 610);
}

std::map<std::size_t, core::Error> invalid_changes(const std::vector<core::AssociationChange>& changes) {
  std::map<std::size_t, core::Error> out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    const auto& c = changes[i];
    if (!is_record_id(c.hubspot_id)) {
      out.emplace(i, core::record_error("hubspot_id " + quoted(c.hubspot_id) +
                                        " is not a HubSpot record id (digits only); not sent to HubSpot"));
      continue;
    }
    for (const auto* set : {&c.add, &c.remove})
      for (const auto& a : *set)
        if (!is_record_id(a.to_object_id) && !out.contains(i))
          out.emplace(i,
                      core::record_error("associated record id " + quoted(a.to_object_id) +
                                         " is not a HubSpot record id (digits only); not sent to HubSpot"));
  }
  return out;
}

std::map<std::string, std::vector<std::string>> plan_reads(
    const std::vector<core::AssociationChange>& changes, const std::set<std::size_t>& skip) {
  std::map<std::string, std::set<std::string>> leads;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (skip.contains(i)) continue;
    for (const auto& [pair, p] : pairs_of(changes[i]))
      if (needs_read(p)) leads[pair.first].insert(changes[i].hubspot_id);
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [type, ids] : leads) out[type].assign(ids.begin(), ids.end());
  return out;
}

std::set<std::string> touched_types(const std::vector<core::AssociationChange>& changes,
                                    const std::set<std::size_t>& skip) {
  std::set<std::string> out;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (skip.contains(i)) continue;
    for (const auto* set : {&changes[i].add, &changes[i].remove})
      for (const auto& a : *set) out.insert(a.to_object_type);
  }
  return out;
}

WritePlan plan_writes(const std::vector<core::AssociationChange>& changes, const core::SyncMapping& mapping,
                      const CurrentAssociations& current, const TypeCategories& categories,
                      const std::set<std::size_t>& skip) {
  WritePlan plan;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (skip.contains(i)) continue;
    const std::string& lead = changes[i].hubspot_id;
    std::map<std::string, TypeWrites> staged;  // a change is planned whole or not at all
    int unknown = 0;
    std::string unknown_to;
    auto fail = [&](const std::string& to_type) {
      unknown_to = to_type;
      return false;
    };
    bool ok = true;
    for (const auto& [pair, p] : pairs_of(changes[i])) {
      // Named references, not structured bindings: lambdas below capture them (clang 14 refuses bindings).
      const std::string& to_type = pair.first;
      const std::string& to_id = pair.second;
      auto& writes = staged[to_type];
      if (!p.add.empty()) {
        // The create replaces the pair's labels: it carries every type HubSpot has on the pair (the ones
        // being removed too; they go with labels/archive after every create, so a primary is never dropped
        // before its replacement exists).
        std::set<int> types = current_types(current, lead, pair);
        types.insert(p.add.begin(), p.add.end());
        auto specs = specs_for(types, to_type, categories, plan, unknown);
        if (!specs) {
          ok = fail(to_type);
          break;
        }
        writes.create.push_back({i, {lead, to_id, std::move(*specs)}});
      }
      std::set<int> drop;
      bool drop_pair = false;
      if (p.wanted) {
        for (int t : p.remove)
          if (!is_unlabeled_lead_association(to_type, t)) drop.insert(t);
      } else {
        const std::set<int> now = current_types(current, lead, pair);
        const bool foreign = std::any_of(now.begin(), now.end(), [&](int t) {
          return !is_mapped(mapping, to_type, t) && !is_unlabeled_lead_association(to_type, t);
        });
        if (foreign) {
          for (int t : now)
            if (is_mapped(mapping, to_type, t) && !is_unlabeled_lead_association(to_type, t)) drop.insert(t);
        } else {
          drop_pair = !now.empty();
        }
      }
      if (drop_pair) writes.archive_pairs.push_back({i, {lead, to_id, {}}});
      if (!drop.empty()) {
        auto specs = specs_for(drop, to_type, categories, plan, unknown);
        if (!specs) {
          ok = fail(to_type);
          break;
        }
        writes.archive_labels.push_back({i, {lead, to_id, std::move(*specs)}});
      }
    }
    if (!ok) {
      plan.failed.emplace(i, unknown_type_error(unknown_to, unknown));
      continue;
    }
    for (auto& [type, w] : staged) {
      auto& into = plan.by_type[type];
      auto append = [](std::vector<PlannedInput>& from, std::vector<PlannedInput>& to) {
        std::move(from.begin(), from.end(), std::back_inserter(to));
      };
      append(w.create, into.create);
      append(w.archive_labels, into.archive_labels);
      append(w.archive_pairs, into.archive_pairs);
    }
  }
  return plan;
}

namespace {

// One push: the changes, what failed so far, and the calls in their phases.
class Push {
 public:
  Push(HubSpotClient& client, const core::SyncMapping& mapping, TypeCategories& categories,
       const std::vector<core::AssociationChange>& changes)
      : client_(client), mapping_(mapping), categories_(categories), changes_(changes) {
    failed_ = invalid_changes(changes_);
  }

  net::awaitable<std::vector<core::WriteResult>> run() {
    co_await read_current();
    auto plan = co_await plan_with_categories();
    for (auto& [i, e] : plan.failed) failed_.try_emplace(i, std::move(e));
    // Phases in this order across every target type: adds, then label removals, then pair removals.
    for (auto& [type, w] : plan.by_type) co_await create(type, w.create);
    for (auto& [type, w] : plan.by_type) co_await archive(type, w.archive_labels, false);
    for (auto& [type, w] : plan.by_type) co_await archive(type, w.archive_pairs, true);
    std::vector<core::WriteResult> out;
    out.reserve(changes_.size());
    for (std::size_t i = 0; i < changes_.size(); ++i) {
      auto it = failed_.find(i);
      if (it == failed_.end())
        out.push_back({changes_[i].hubspot_id, true, std::nullopt, std::nullopt});
      else
        out.push_back({changes_[i].hubspot_id, false, std::nullopt, it->second});
    }
    co_return out;
  }

 private:
  std::set<std::size_t> skip() const {
    std::set<std::size_t> out;
    for (const auto& [i, e] : failed_) out.insert(i);
    return out;
  }

  void fail_lead(const std::string& lead, const core::Error& e) {
    for (std::size_t i = 0; i < changes_.size(); ++i)
      if (changes_[i].hubspot_id == lead) failed_.try_emplace(i, e);
  }

  static void rethrow_if_fatal(const core::Error& e) {
    if (e.is_fatal()) throw e;
  }

  net::awaitable<void> read_current() {
    for (auto& [type, leads] : plan_reads(changes_, skip())) {
      AssociationsByLead read;
      std::optional<core::Error> call_error;
      try {
        read = co_await client_.batch_read_associations(type, leads);
      } catch (const core::Error& e) {
        rethrow_if_fatal(e);
        call_error = e;
      }
      for (const auto& lead : leads) {
        if (call_error) {
          fail_lead(lead, *call_error);
          continue;
        }
        auto it = read.by_lead.find(lead);
        if (it != read.by_lead.end()) {
          current_[type][lead] = std::move(it->second);
          continue;
        }
        // A lead whose current associations are unknown is not written: a create could drop its labels.
        auto e = std::find_if(read.errors.begin(), read.errors.end(), [&](const BatchError& be) {
          auto ids = error_lead_ids(be);
          return std::find(ids.begin(), ids.end(), lead) != ids.end();
        });
        fail_lead(lead, e != read.errors.end()
                            ? batch_error_to_core(*e)
                            : core::transient_error("HubSpot returned no associations to " + type +
                                                    " for this lead; its association changes were not sent"));
      }
    }
  }

  net::awaitable<bool> load_categories(const std::string& type) {
    try {
      auto& known = categories_[type];
      known.clear();
      for (const auto& label : co_await client_.association_labels(type))
        known[label.type_id] = label.category;
      co_return true;
    } catch (const core::Error& e) {
      rethrow_if_fatal(e);
      categories_.erase(type);
      for (std::size_t i = 0; i < changes_.size(); ++i)
        for (const auto* set : {&changes_[i].add, &changes_[i].remove})
          for (const auto& a : *set)
            if (a.to_object_type == type) failed_.try_emplace(i, e);
    }
    co_return false;
  }

  // Categories come from HubSpot's label list, kept across pushes; a type id missing from it (a label
  // created since) refreshes the list once.
  net::awaitable<WritePlan> plan_with_categories() {
    std::set<std::string> fetched;
    for (const auto& type : touched_types(changes_, skip()))
      if (!categories_.contains(type) && co_await load_categories(type)) fetched.insert(type);
    auto plan = plan_writes(changes_, mapping_, current_, categories_, skip());
    bool refreshed = false;
    for (const auto& type : plan.unknown_types)
      if (!fetched.contains(type) && co_await load_categories(type)) refreshed = true;
    if (refreshed) plan = plan_writes(changes_, mapping_, current_, categories_, skip());
    co_return plan;
  }

  // Inputs of changes still going, and every failure of the call they were sent in.
  std::vector<AssociationPairInput> live_inputs(const std::vector<PlannedInput>& planned,
                                                std::vector<std::size_t>& sent) const {
    std::vector<AssociationPairInput> inputs;
    for (const auto& p : planned) {
      if (failed_.contains(p.change)) continue;  // e.g. its add failed: its removals must not go out
      inputs.push_back(p.input);
      sent.push_back(p.change);
    }
    return inputs;
  }

  net::awaitable<void> create(const std::string& type, const std::vector<PlannedInput>& planned) {
    std::vector<std::size_t> sent;
    auto inputs = live_inputs(planned, sent);
    if (inputs.empty()) co_return;
    BatchResult<AssociationPairLabels> result;
    try {
      result = co_await client_.batch_create_associations(type, inputs);
    } catch (const core::Error& e) {
      rethrow_if_fatal(e);
      for (auto i : sent) failed_.try_emplace(i, e);
      co_return;
    }
    std::set<std::pair<std::string, std::string>> done;
    for (const auto& r : result.results) done.emplace(r.from_id, r.to_id);
    std::optional<core::Error> unattributed;
    for (const auto& e : result.errors) {
      auto ids = error_lead_ids(e);
      if (ids.empty() && !unattributed) unattributed = batch_error_to_core(e);
      for (const auto& id : ids) fail_lead(id, batch_error_to_core(e));
    }
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      if (done.contains({inputs[k].from_id, inputs[k].to_id})) continue;
      failed_.try_emplace(sent[k], unattributed ? *unattributed
                                                : core::transient_error("HubSpot returned no result for this "
                                                                        "association create"));
    }
  }

  net::awaitable<void> archive(const std::string& type, const std::vector<PlannedInput>& planned,
                               bool whole_pairs) {
    std::vector<std::size_t> sent;
    auto inputs = live_inputs(planned, sent);
    if (inputs.empty()) co_return;
    try {
      if (whole_pairs)
        co_await client_.batch_archive_associations(type, std::move(inputs));
      else
        co_await client_.batch_archive_labels(type, std::move(inputs));
    } catch (const core::Error& e) {
      rethrow_if_fatal(e);
      for (auto i : sent) failed_.try_emplace(i, e);
    }
  }

  HubSpotClient& client_;
  const core::SyncMapping& mapping_;
  TypeCategories& categories_;
  const std::vector<core::AssociationChange>& changes_;
  std::map<std::size_t, core::Error> failed_;
  CurrentAssociations current_;
};

}  // namespace

net::awaitable<std::vector<core::WriteResult>> push_association_changes(
    HubSpotClient& client, const core::SyncMapping& mapping, TypeCategories& categories,
    std::vector<core::AssociationChange> changes) {
  Push push(client, mapping, categories, changes);
  co_return co_await push.run();
}

}  // namespace leadsync::hubspot::detail
