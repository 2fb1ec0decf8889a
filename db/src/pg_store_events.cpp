// PgStore's side of webhook events: reading the inbox the receiver writes (inbox_writer.cpp), joined with the
// base, and marking and pruning what the engine applied. The payload is decoded here in SQL (jsonb
// operators), so the core gets typed events and the db library needs no JSON parser.
#include <algorithm>

#include "leadsync/core/values.hpp"
#include "pg_store_impl.hpp"

namespace leadsync::db {

namespace {

constexpr const char* kLeadObjectTypeId = "0-136";

bool numeric_id(const std::string& s) {
  return !s.empty() && s.size() <= 20 &&
         std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

std::vector<std::string> split_numeric(const std::string& csv) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= csv.size()) {
    auto end = csv.find(',', pos);
    if (end == std::string::npos) end = csv.size();
    std::string id = csv.substr(pos, end - pos);
    if (numeric_id(id)) out.push_back(std::move(id));  // anything else cannot name a lead
    pos = end + 1;
  }
  return out;
}

std::string id_array(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "}";
}

}  // namespace

std::vector<core::InboxEvent> PgStore::pending_events(std::size_t limit) {
  // The property's base value comes along so that the engine can tell an echo of a known value from news
  // without another round trip; vals holds JSON null for "no value", hence `?` before `->>`. The merged ids
  // travel joined by commas, so only all-digit elements may join: a string "1,2" names no lead, not two.
  const std::string sql =
      "SELECT i.event_id, i.subscription_type, i.object_id::text, coalesce(i.payload->>'objectTypeId', ''), "
      "coalesce(i.payload->>'propertyName', ''), i.payload->>'propertyValue', "
      "coalesce(i.payload->>'primaryObjectId', ''), "
      "(SELECT string_agg(x, ',') FILTER (WHERE x ~ '^[0-9]+$') FROM jsonb_array_elements_text(CASE WHEN "
      "jsonb_typeof(i.payload->'mergedObjectIds') = 'array' THEN i.payload->'mergedObjectIds' ELSE '[]' END) "
      "AS x), "
      "b.hubspot_id IS NOT NULL, coalesce(b.vals ? (i.payload->>'propertyName'), false), "
      "b.vals->>(i.payload->>'propertyName') "
      "FROM leadsync.inbox i LEFT JOIN leadsync.base b ON b.scope = i.scope AND b.hubspot_id = "
      "i.object_id::text WHERE i.scope = $1 AND i.processed_at IS NULL ORDER BY i.received_at, i.event_id "
      "LIMIT $2";
  return impl_->transact("reading webhook events", false, [&](pqxx::work& tx) {
    std::vector<core::InboxEvent> out;
    for (const auto& row : tx.exec_params(sql, impl_->scope, static_cast<std::int64_t>(limit))) {
      core::InboxEvent e;
      e.event_id = row[0].as<std::int64_t>();
      e.kind = core::parse_event_kind(row[1].c_str());
      e.object_id = row[2].c_str();
      const std::string object_type = row[3].c_str();
      if (!object_type.empty() && object_type != kLeadObjectTypeId) e.kind = core::EventKind::other;
      e.property = row[4].c_str();
      if (!row[5].is_null()) e.value = std::string(row[5].c_str());
      if (e.kind == core::EventKind::merge) {
        if (std::string primary = row[6].c_str(); numeric_id(primary)) e.object_id = primary;
        if (!row[7].is_null()) e.merged_ids = split_numeric(row[7].c_str());
      }
      e.known = row[8].as<bool>();
      if (row[9].as<bool>())
        e.base_value = row[10].is_null() ? core::Value() : core::Value(std::string(row[10].c_str()));
      out.push_back(std::move(e));
    }
    return out;
  });
}

void PgStore::mark_events_applied(const std::vector<std::int64_t>& event_ids) {
  if (event_ids.empty()) return;
  impl_->transact("marking webhook events applied", false, [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE leadsync.inbox SET processed_at = now() WHERE scope = $1 AND event_id = ANY($2::bigint[])",
        impl_->scope, id_array(event_ids));
  });
}

std::size_t PgStore::prune_events(core::WallTime before) {
  return impl_->transact("pruning applied webhook events", false, [&](pqxx::work& tx) {
    auto r = tx.exec_params(
        "DELETE FROM leadsync.inbox WHERE scope = $1 AND processed_at < to_timestamp($2::numeric / 1000)",
        impl_->scope, core::to_epoch_ms(before));
    return static_cast<std::size_t>(r.affected_rows());
  });
}

}  // namespace leadsync::db
