#include "leadsync/testing/scripted_remote.hpp"

#include <algorithm>

namespace leadsync::testing {

using namespace leadsync::core;

std::string ScriptedRemote::add_lead(PropertyValues values, std::optional<WallTime> updated_at,
                                     std::optional<std::string> unique_key) {
  const std::string id = std::to_string(next_id_++);
  RemoteLead l;
  l.id = id;
  l.values = std::move(values);
  l.updated_at = updated_at.value_or(clock_.now());
  l.unique_key = std::move(unique_key);
  l.associations = AssociationSet{};
  leads[id] = std::move(l);
  return id;
}

RemoteLead ScriptedRemote::bump(const std::string& id) {
  auto& l = leads.at(id);
  auto t = clock_.now();
  if (l.updated_at && t <= *l.updated_at) t = *l.updated_at + Millis(1);
  l.updated_at = t;
  return l;
}

void ScriptedRemote::edit_lead(const std::string& id, const std::string& property, Value value) {
  leads.at(id).values[property] = std::move(value);
  bump(id);
}

int ScriptedRemote::count(const std::string& call) const {
  return static_cast<int>(std::count(calls.begin(), calls.end(), call));
}

net::awaitable<RemotePage> ScriptedRemote::list_page(std::optional<std::string> cursor, bool archived) {
  calls.push_back(archived ? "list_archived" : "list");
  if (on_list_page) co_return on_list_page(cursor, archived);
  // The cursor is the last id of the previous page (ids are compared as numbers, as HubSpot's order).
  std::vector<const RemoteLead*> all;
  for (const auto& [id, l] : leads)
    if (l.archived == archived && (!cursor || std::stol(id) > std::stol(*cursor))) all.push_back(&l);
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return std::stol(a->id) < std::stol(b->id); });
  RemotePage page;
  for (std::size_t i = 0; i < all.size() && i < page_size; ++i) page.leads.push_back(*all[i]);
  if (all.size() > page_size) page.next_cursor = page.leads.back().id;
  co_return page;
}

net::awaitable<std::optional<std::int64_t>> ScriptedRemote::count_leads() {
  calls.push_back("count");
  co_return static_cast<std::int64_t>(
      std::count_if(leads.begin(), leads.end(), [](const auto& e) { return !e.second.archived; }));
}

net::awaitable<void> ScriptedRemote::search_modified(
    WallTime from, WallTime to, std::function<net::awaitable<void>(std::vector<RemoteLead>)> on_page) {
  calls.push_back("search");
  std::vector<RemoteLead> page;
  for (const auto& [id, l] : leads)
    if (!l.archived && l.updated_at && *l.updated_at >= from && *l.updated_at <= to) page.push_back(l);
  if (!page.empty()) co_await on_page(std::move(page));
}

net::awaitable<RemoteReadResult> ScriptedRemote::read(std::vector<std::string> ids, bool with_history) {
  calls.push_back(with_history ? "read_history" : "read");
  RemoteReadResult out;
  for (const auto& id : ids) {
    auto it = leads.find(id);
    if (it == leads.end() || it->second.archived)
      out.missing.push_back(id);
    else
      out.found.push_back(it->second);
  }
  // HubSpot's batch read returns properties only: associations come from read_associations.
  for (auto& l : out.found) l.associations.reset();
  co_return out;
}

net::awaitable<std::vector<RemoteLead>> ScriptedRemote::find_by_unique_key(std::vector<std::string> keys) {
  calls.push_back("find_by_unique_key");
  if (on_find_by_unique_key) co_return on_find_by_unique_key(keys);
  std::vector<RemoteLead> out;
  for (const auto& [id, l] : leads)
    if (!l.archived && l.unique_key && std::find(keys.begin(), keys.end(), *l.unique_key) != keys.end())
      out.push_back(l);
  co_return out;
}

net::awaitable<std::map<std::string, AssociationSet>> ScriptedRemote::read_associations(
    std::vector<std::string> ids) {
  calls.push_back("read_associations");
  std::map<std::string, AssociationSet> out;
  for (const auto& id : ids)
    if (auto it = leads.find(id);
        it != leads.end() && it->second.associations && !it->second.associations->empty())
      out[id] = *it->second.associations;
  co_return out;
}

std::vector<WriteResult> ScriptedRemote::do_create(const std::vector<CreateRequest>& requests) {
  std::vector<WriteResult> out;
  for (const auto& r : requests) {
    std::optional<std::string> key;
    PropertyValues values;
    for (const auto& [p, v] : r.properties) values[p] = v;
    if (auto it = values.find("leadsync_key"); it != values.end()) key = it->second;
    const auto id = add_lead(values, std::nullopt, key);
    leads[id].associations = r.associations;
    out.push_back({.ref = r.ref, .ok = true, .lead = bump(id)});
  }
  return out;
}

std::vector<WriteResult> ScriptedRemote::do_update(const std::vector<UpdateRequest>& requests) {
  std::vector<WriteResult> out;
  for (const auto& r : requests) {
    auto it = leads.find(r.hubspot_id);
    if (it == leads.end() || it->second.archived) {
      out.push_back({.ref = r.hubspot_id, .error = record_error("OBJECT_NOT_FOUND: " + r.hubspot_id)});
      continue;
    }
    for (const auto& [p, v] : r.properties) it->second.values[p] = v;
    out.push_back({.ref = r.hubspot_id, .ok = true, .lead = bump(r.hubspot_id)});
  }
  return out;
}

std::vector<WriteResult> ScriptedRemote::do_archive(const std::vector<std::string>& ids) {
  std::vector<WriteResult> out;
  for (const auto& id : ids) {
    if (auto it = leads.find(id); it != leads.end()) it->second.archived = true;
    out.push_back({.ref = id, .ok = true});
  }
  return out;
}

std::vector<WriteResult> ScriptedRemote::do_change_associations(
    const std::vector<AssociationChange>& changes) {
  std::vector<WriteResult> out;
  for (const auto& c : changes) {
    auto& l = leads.at(c.hubspot_id);
    if (!l.associations) l.associations = AssociationSet{};
    for (const auto& a : c.add) l.associations->insert(a);
    for (const auto& a : c.remove) l.associations->erase(a);
    out.push_back({.ref = c.hubspot_id, .ok = true});
  }
  return out;
}

net::awaitable<std::vector<WriteResult>> ScriptedRemote::create(std::vector<CreateRequest> requests) {
  calls.push_back("create");
  co_return on_create ? on_create(requests) : do_create(requests);
}

net::awaitable<std::vector<WriteResult>> ScriptedRemote::update(std::vector<UpdateRequest> requests) {
  calls.push_back("update");
  co_return on_update ? on_update(requests) : do_update(requests);
}

net::awaitable<std::vector<WriteResult>> ScriptedRemote::archive(std::vector<std::string> hubspot_ids) {
  calls.push_back("archive");
  co_return on_archive ? on_archive(hubspot_ids) : do_archive(hubspot_ids);
}

net::awaitable<std::vector<WriteResult>> ScriptedRemote::change_associations(
    std::vector<AssociationChange> changes) {
  calls.push_back("change_associations");
  co_return on_change_associations ? on_change_associations(changes) : do_change_associations(changes);
}

}  // namespace leadsync::testing
