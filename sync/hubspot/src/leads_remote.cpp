#include "leadsync/hubspot/leads_remote.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "association_push.hpp"
#include "query.hpp"

namespace leadsync::hubspot {

namespace {

// A lead whose id is not a record id cannot be stored or addressed (the id goes into request paths): it is
// left out, loudly, and counted (`skipped`, the cycle's report and /metrics). Real HubSpot ids are digits;
// this guards against a server that sends anything else.
bool has_record_id(const LeadObject& o, std::uint64_t& skipped) {
  if (detail::is_record_id(o.id)) return true;
  ++skipped;
  spdlog::error("HubSpot sent a lead with id {}, which is not a record id (digits only): skipped",
                detail::quoted(o.id));
  return false;
}

core::Error not_a_record_id(const std::string& id) {
  return core::record_error("hubspot_id " + detail::quoted(id) +
                            " is not a HubSpot record id (digits only); not sent to HubSpot");
}

// Ids to read (from the table, a webhook event, the pull-retry list) that are not record ids stay out of
// batch read bodies too: HubSpot reports them as not found, and a lead not found is deleted locally (the full
// sweep's delete check). Left out loudly, neither found nor missing: the row stays as it is.
std::vector<std::string> record_ids_only(std::vector<std::string> ids, std::string_view reading,
                                         std::uint64_t& skipped) {
  std::erase_if(ids, [&](const std::string& id) {
    if (detail::is_record_id(id)) return false;
    ++skipped;
    spdlog::error(
        "lead id {} is not a HubSpot record id (digits only): not sent to HubSpot to read its {}, and not "
        "taken as deleted there",
        detail::quoted(id), reading);
    return true;
  });
  return ids;
}

constexpr const char* kLastModified = "hs_lastmodifieddate";

std::string mapping_type_error(const std::string& what) {
  return what;
}

}  // namespace

core::Error batch_error_to_core(const BatchError& e) {
  core::ErrorDetails d;
  d.http_status = e.http_status;
  d.category = e.category;
  d.sub_category = e.sub_category;
  d.correlation_id = e.correlation_id;
  d.context = e.context;
  // The category leads the stored message: it is what an operator greps leadsync.changes.last_error for
  // (OBJECT_NOT_FOUND, VALIDATION_ERROR, ...), as in the message of a single call's refusal.
  std::string message = e.category.empty()  ? e.message
                        : e.message.empty() ? e.category
                                            : e.category + ": " + e.message;
  if (message.empty()) message = "HubSpot reported an error for this input without a category or message";
  // Per-input errors HubSpot reports are about that input's data; anything else might pass on retry.
  static const std::set<std::string> kRecord = {
      "VALIDATION_ERROR", "OBJECT_NOT_FOUND",      "CONFLICT",
      "INVALID_OPTION",   "PROPERTY_DOESNT_EXIST", "READ_ONLY_VALUE"};
  if (kRecord.contains(e.category) || e.category.empty()) return core::record_error(message, std::move(d));
  return core::transient_error(message, std::move(d));
}

HubSpotLeadsRemote::HubSpotLeadsRemote(HubSpotClient& client, core::SyncMapping mapping,
                                       std::function<std::uint64_t()> api_calls)
    : client_(client), mapping_(std::move(mapping)), api_calls_(std::move(api_calls)) {}

void HubSpotLeadsRemote::set_priority(core::CallPriority p) {
  client_.set_priority(p);
}

std::vector<std::string> HubSpotLeadsRemote::properties() const {
  std::vector<std::string> props;
  for (const auto& m : mapping_.properties) props.push_back(m.property);
  props.push_back(kLastModified);
  if (mapping_.unique_key_property) props.push_back(*mapping_.unique_key_property);
  std::sort(props.begin(), props.end());
  props.erase(std::unique(props.begin(), props.end()), props.end());
  return props;
}

std::vector<std::string> HubSpotLeadsRemote::association_types() const {
  std::vector<std::string> types;
  for (const auto& a : mapping_.associations)
    if (std::find(types.begin(), types.end(), a.to_object_type) == types.end())
      types.push_back(a.to_object_type);
  return types;
}

std::map<std::string, std::string> HubSpotLeadsRemote::to_hubspot(const core::PropertyValues& values) const {
  std::map<std::string, std::string> out;
  for (const auto& [p, v] : values) {
    const auto* m = mapping_.find_property(p);
    out[p] = core::to_hubspot_value(m ? m->type : core::PropertyType::string, v);
  }
  return out;
}

core::RemoteLead HubSpotLeadsRemote::to_remote(const LeadObject& o) const {
  core::RemoteLead r;
  r.id = o.id;
  r.archived = o.archived;
  for (const auto& m : mapping_.properties) {
    auto it = o.properties.find(m.property);
    if (it == o.properties.end()) continue;  // not returned: unknown, not "empty"
    r.values[m.property] =
        it->second ? core::normalize_value(m.type, std::string_view(*it->second)) : std::nullopt;
    if (auto h = o.history.find(m.property); h != o.history.end() && !h->second.empty()) {
      if (auto t = core::parse_timestamp(h->second.front().timestamp)) r.changed_at[m.property] = *t;
      auto& changes = r.history[m.property];
      for (const auto& v : h->second)
        changes.push_back({v.value ? core::normalize_value(m.type, std::string_view(*v.value)) : std::nullopt,
                           core::parse_timestamp(v.timestamp), v.source_type, v.source_id.value_or("")});
    }
  }
  if (auto t = core::parse_timestamp(o.updated_at))
    r.updated_at = t;
  else if (auto lm = o.property(kLastModified))
    r.updated_at = core::parse_timestamp(*lm);
  if (mapping_.unique_key_property) r.unique_key = o.property(*mapping_.unique_key_property);
  if (o.associations && !o.associations_unresolved) {
    core::AssociationSet set;
    for (const auto& [type, objects] : *o.associations)
      for (const auto& a : objects)
        if (detail::is_record_id(a.to_id))
          for (int id : a.type_ids) set.insert({type, a.to_id, id});
    r.associations = core::filter_mapped(mapping_, set);
  }
  return r;
}

net::awaitable<void> HubSpotLeadsRemote::resolve_unresolved(std::vector<core::RemoteLead>& leads,
                                                            const std::vector<LeadObject>& objects) {
  std::vector<std::string> ids;
  for (const auto& o : objects)
    if (o.associations && o.associations_unresolved) ids.push_back(o.id);
  if (ids.empty()) co_return;
  // v3 named an association type we do not know: v4 gives numeric type ids.
  auto sets = co_await read_associations(ids);
  for (auto& l : leads) {
    if (std::find(ids.begin(), ids.end(), l.id) == ids.end()) continue;
    auto it = sets.find(l.id);
    l.associations = it == sets.end() ? core::AssociationSet{} : it->second;
  }
}

net::awaitable<core::RemotePage> HubSpotLeadsRemote::list_page(std::optional<std::string> cursor,
                                                               bool archived) {
  ListRequest req;
  req.after = std::move(cursor);
  req.archived = archived;
  req.properties = properties();
  if (!archived) req.associations = association_types();
  auto page = co_await client_.list_page(std::move(req));
  core::RemotePage out;
  out.next_cursor = page.next_after;
  out.leads.reserve(page.results.size());
  std::erase_if(page.results, [this](const LeadObject& o) { return !has_record_id(o, skipped_bad_id_); });
  for (const auto& o : page.results) out.leads.push_back(to_remote(o));
  co_await resolve_unresolved(out.leads, page.results);
  co_return out;
}

net::awaitable<std::optional<std::int64_t>> HubSpotLeadsRemote::count_leads() {
  SearchRequest req;
  req.limit = 1;
  req.properties = {kLastModified};
  auto page = co_await client_.search(std::move(req));
  co_return page.total;
}

net::awaitable<void> HubSpotLeadsRemote::search_modified(
    core::WallTime from, core::WallTime to,
    std::function<net::awaitable<void>(std::vector<core::RemoteLead>)> on_page) {
  co_await client_.search_modified_window(
      core::to_epoch_ms(from), core::to_epoch_ms(to), properties(),
      [this, &on_page](std::vector<LeadObject> objects) -> net::awaitable<void> {
        std::vector<core::RemoteLead> leads;
        leads.reserve(objects.size());
        for (const auto& o : objects)
          if (has_record_id(o, skipped_bad_id_)) leads.push_back(to_remote(o));
        co_await on_page(std::move(leads));
      });
}

net::awaitable<core::RemoteReadResult> HubSpotLeadsRemote::read(std::vector<std::string> ids,
                                                                bool with_history) {
  ids = record_ids_only(std::move(ids), "properties", skipped_bad_id_);
  if (ids.empty()) co_return core::RemoteReadResult{};
  BatchReadOptions opts;
  opts.properties = properties();
  if (with_history)
    for (const auto& m : mapping_.properties) opts.properties_with_history.push_back(m.property);
  auto result = co_await client_.batch_read(ids, std::move(opts));
  core::RemoteReadResult out;
  std::set<std::string> found;
  for (const auto& o : result.results) {
    if (!has_record_id(o, skipped_bad_id_)) continue;
    found.insert(o.id);
    if (!o.archived) out.found.push_back(to_remote(o));
  }
  for (const auto& e : result.errors)
    if (e.category != "OBJECT_NOT_FOUND") throw batch_error_to_core(e);
  for (const auto& id : ids)
    if (!found.contains(id)) out.missing.push_back(id);
  co_return out;
}

net::awaitable<std::vector<core::RemoteLead>> HubSpotLeadsRemote::find_by_unique_key(
    std::vector<std::string> keys) {
  std::vector<core::RemoteLead> out;
  if (!mapping_.unique_key_property || keys.empty()) co_return out;
  BatchReadOptions opts;
  opts.properties = properties();
  opts.id_property = mapping_.unique_key_property;
  auto result = co_await client_.batch_read(std::move(keys), std::move(opts));
  for (const auto& e : result.errors)
    if (e.category != "OBJECT_NOT_FOUND") throw batch_error_to_core(e);
  for (const auto& o : result.results)
    if (has_record_id(o, skipped_bad_id_)) out.push_back(to_remote(o));
  co_return out;
}

net::awaitable<std::map<std::string, core::AssociationSet>> HubSpotLeadsRemote::read_associations(
    std::vector<std::string> ids) {
  std::map<std::string, core::AssociationSet> out;
  ids = record_ids_only(std::move(ids), "associations", skipped_bad_id_);
  if (ids.empty()) co_return out;
  for (const auto& type : association_types()) {
    auto by_lead = co_await client_.batch_read_associations(type, ids);
    for (const auto& [lead, objects] : by_lead.by_lead)
      for (const auto& a : objects)
        if (detail::is_record_id(a.to_id))
          for (int t : a.type_ids) out[lead].insert({type, a.to_id, t});
  }
  for (auto it = out.begin(); it != out.end();) {
    it->second = core::filter_mapped(mapping_, it->second);
    // A lead with no mapped association at all is left out: absent means "unknown" to the engine, so a
    // lead that vanished is never mistaken for one whose associations were all removed.
    it = it->second.empty() ? out.erase(it) : std::next(it);
  }
  co_return out;
}

net::awaitable<std::vector<core::WriteResult>> HubSpotLeadsRemote::create(
    std::vector<core::CreateRequest> requests) {
  std::vector<LeadCreateInput> inputs;
  for (const auto& r : requests) {
    LeadCreateInput in;
    in.properties = to_hubspot(r.properties);
    in.object_write_trace_id = r.ref;
    std::map<std::string, std::vector<AssociationSpec>> by_target;
    for (const auto& a : r.associations) by_target[a.to_object_id].push_back({"HUBSPOT_DEFINED", a.type_id});
    for (auto& [to, specs] : by_target) in.associations.push_back({to, std::move(specs)});
    inputs.push_back(std::move(in));
  }
  auto result = co_await client_.batch_create(std::move(inputs));
  std::map<std::string, core::WriteResult> by_ref;
  for (const auto& o : result.results) {
    if (!o.object_write_trace_id) continue;
    if (!detail::is_record_id(o.id)) {
      by_ref[*o.object_write_trace_id] =
          core::WriteResult{*o.object_write_trace_id, false, std::nullopt,
                            core::record_error("HubSpot answered the create with id " + detail::quoted(o.id) +
                                               ", which is not a record id (digits only); not stored")};
      continue;
    }
    by_ref[*o.object_write_trace_id] =
        core::WriteResult{*o.object_write_trace_id, true, to_remote(o), std::nullopt};
  }
  for (const auto& e : result.errors)
    for (const auto& t : e.trace_ids())
      by_ref[t] = core::WriteResult{t, false, std::nullopt, batch_error_to_core(e)};
  std::vector<core::WriteResult> out;
  for (const auto& r : requests) {
    auto it = by_ref.find(r.ref);
    if (it != by_ref.end())
      out.push_back(std::move(it->second));
    else
      out.push_back(
          {r.ref, false, std::nullopt, core::transient_error("HubSpot returned no result for this create")});
  }
  co_return out;
}

net::awaitable<std::vector<core::WriteResult>> HubSpotLeadsRemote::update(
    std::vector<core::UpdateRequest> requests) {
  std::vector<core::WriteResult> out;
  if (requests.size() == 1) {
    // One lead: PATCH (a single call either way, and its error is exact).
    const auto& r = requests.front();
    try {
      bool unconfirmed = false;
      auto lead = co_await client_.update(r.hubspot_id, to_hubspot(r.properties), std::nullopt, &unconfirmed);
      out.push_back({r.hubspot_id, true, to_remote(lead), std::nullopt, unconfirmed});
    } catch (const core::Error& e) {
      if (!e.is_record()) throw;
      out.push_back({r.hubspot_id, false, std::nullopt, e});
    }
    co_return out;
  }
  std::vector<LeadUpdateInput> inputs;
  std::map<std::string, core::WriteResult> by_id;
  for (const auto& r : requests) {
    if (detail::is_record_id(r.hubspot_id))
      inputs.push_back({r.hubspot_id, to_hubspot(r.properties), r.hubspot_id});
    else
      by_id.emplace(r.hubspot_id,
                    core::WriteResult{r.hubspot_id, false, std::nullopt, not_a_record_id(r.hubspot_id)});
  }
  BatchResult<LeadObject> result;
  if (!inputs.empty()) result = co_await client_.batch_update(std::move(inputs));
  for (const auto& o : result.results)
    by_id[o.id] = core::WriteResult{o.id, true, to_remote(o), std::nullopt, result.unconfirmed_attempt};
  for (const auto& e : result.errors) {
    auto ids = e.trace_ids();
    for (const auto& id : e.ids()) ids.push_back(id);
    for (const auto& id : ids) by_id[id] = core::WriteResult{id, false, std::nullopt, batch_error_to_core(e)};
  }
  for (const auto& r : requests) {
    auto it = by_id.find(r.hubspot_id);
    if (it != by_id.end())
      out.push_back(std::move(it->second));
    else
      out.push_back({r.hubspot_id, false, std::nullopt,
                     core::transient_error("HubSpot returned no result for this update")});
  }
  co_return out;
}

net::awaitable<std::vector<core::WriteResult>> HubSpotLeadsRemote::archive(
    std::vector<std::string> hubspot_ids) {
  std::vector<core::WriteResult> out;
  if (hubspot_ids.size() == 1) {
    try {
      co_await client_.archive(hubspot_ids.front());  // false (already gone) is success too
      out.push_back({hubspot_ids.front(), true, std::nullopt, std::nullopt});
    } catch (const core::Error& e) {
      if (!e.is_record()) throw;
      out.push_back({hubspot_ids.front(), false, std::nullopt, e});
    }
    co_return out;
  }
  std::vector<std::string> valid;
  for (const auto& id : hubspot_ids)
    if (detail::is_record_id(id)) valid.push_back(id);
  // batch/archive answers 204 for the whole batch, ids already gone included.
  if (!valid.empty()) co_await client_.batch_archive(std::move(valid));
  for (auto& id : hubspot_ids) {
    if (detail::is_record_id(id))
      out.push_back({id, true, std::nullopt, std::nullopt});
    else
      out.push_back({id, false, std::nullopt, not_a_record_id(id)});
  }
  co_return out;
}

net::awaitable<std::vector<core::WriteResult>> HubSpotLeadsRemote::change_associations(
    std::vector<core::AssociationChange> changes) {
  co_return co_await detail::push_association_changes(client_, mapping_, association_categories_,
                                                      std::move(changes));
}

net::awaitable<void> HubSpotLeadsRemote::ensure_unique_key_property(bool create_missing) {
  if (!mapping_.unique_key_property) co_return;
  const auto& name = *mapping_.unique_key_property;
  auto existing = co_await client_.get_property(name);
  if (existing) {
    if (!existing->has_unique_value)
      throw core::fatal_error(mapping_type_error("hubspot.unique_key_property '" + name +
                                                 "' exists in HubSpot but does not have unique values "
                                                 "(hasUniqueValue); choose another name or make it "
                                                 "unique in HubSpot's property settings"),
                              core::ErrorDetails{.category = "CONFIG"});
    co_return;
  }
  if (!create_missing)
    throw core::fatal_error("hubspot.unique_key_property '" + name +
                                "' does not exist in HubSpot; create it (string, unique values) or set "
                                "hubspot.create_unique_key_property: true",
                            core::ErrorDetails{.category = "CONFIG"});
  co_await client_.create_property(HubSpotClient::unique_key_definition(name, "leadsync key"));
}

}  // namespace leadsync::hubspot
