// PgStore, push side: claiming due outbox rows (coalesced per lead), recording HubSpot's answers, operator
// resolutions of manual conflicts, and --retry-failed.
#include <spdlog/spdlog.h>

#include "leadsync/db/identifier.hpp"
#include "pg_store_impl.hpp"

namespace leadsync::db {

std::vector<core::PushItem> PgStore::claim_push(std::size_t max_leads, bool dry_run) {
  auto& I = *impl_;
  return I.transact("claiming local changes", true, [&](pqxx::work& tx) {
    std::vector<core::PushItem> items;
    const std::string sc = I.scope_literal(tx);
    std::string limit =
        max_leads == std::numeric_limits<std::size_t>::max() ? "ALL" : std::to_string(max_leads);
    auto due = tx.exec("SELECT lead_id FROM leadsync.changes WHERE scope = " + sc +
                       " AND state IN ('NEW', 'PENDING') AND next_attempt_at <= now() GROUP BY lead_id "
                       "ORDER BY min(id) LIMIT " +
                       limit);
    if (due.empty()) return items;
    std::vector<std::int64_t> lead_ids;
    for (const auto& row : due) lead_ids.push_back(row[0].as<std::int64_t>());

    // Every open row of those leads, locked; SKIP LOCKED keeps a second process (should one ever run)
    // from pushing the same change twice.
    auto changes = tx.exec(
        "SELECT id, lead_id, op, hubspot_id, state, attempts, "
        "(extract(epoch FROM created_at) * 1000)::bigint, changed ->> 'sync_key', "
        "CASE WHEN state = 'PENDING' AND op IN ('INSERT', 'UPDATE') THEN changed::text END "
        "FROM leadsync.changes WHERE scope = " +
        sc + " AND lead_id IN " + detail::in_list(lead_ids) +
        " AND state IN ('NEW', 'PENDING') ORDER BY id FOR UPDATE SKIP LOCKED");
    std::map<std::int64_t, core::PushItem> by_lead;
    std::vector<std::int64_t> claimed;
    for (const auto& row : changes) {
      const auto lead_id = row[1].as<std::int64_t>();
      auto& item = by_lead[lead_id];
      item.lead_id = lead_id;
      item.change_ids.push_back(row[0].as<std::int64_t>());
      claimed.push_back(row[0].as<std::int64_t>());
      const std::string op = row[2].c_str();
      if (!row[3].is_null() && (op == "DELETE" || !item.context.deleted_hubspot_id))
        item.context.deleted_hubspot_id = row[3].c_str();
      // PENDING means an attempt was started: it may have reached HubSpot before we lost track of it.
      if (std::string(row[4].c_str()) == "PENDING") item.in_doubt = true;
      // The values such an attempt may have sent: what the rows it claimed captured (the row's values then).
      if (!row[8].is_null())
        for (const auto& [column, value] : detail::decode_captured_values(row[8].c_str()))
          if (const auto* m = I.mapping.find_column(column))
            item.maybe_sent[m->property].insert(
                value ? core::normalize_value(m->type, std::string_view(*value)) : std::nullopt);
      item.attempts = std::max(item.attempts, row[5].as<int>() + 1);
      // A DELETE carries the gone row's sync_key (migration 0011): the key of a create that may have reached
      // HubSpot unconfirmed. A live row's own sync_key replaces it below.
      if (op == "DELETE" && !row[7].is_null()) item.sync_key = row[7].c_str();
      auto created = core::from_epoch_ms(epoch_ms_of(row[6]));
      if (!item.first_change_at || created < *item.first_change_at) item.first_change_at = created;
    }
    if (by_lead.empty()) return items;

    std::vector<std::int64_t> ids;
    for (const auto& [id, item] : by_lead) ids.push_back(id);
    LoadedRows rows = I.load_rows(tx, {"id = ANY($1::bigint[])", {detail::array_literal(ids)}}, false);
    I.load_local_changes(tx, rows, ids);
    LoadedBase base = I.load_base(tx, {"lead_id = ANY($1::bigint[])", {detail::array_literal(ids)}}, false);
    std::map<std::int64_t, std::string> base_by_lead;
    for (const auto& [hid, lid] : base.lead_id) base_by_lead[lid] = hid;
    std::vector<std::string> hubspot_ids;
    for (const auto& [hid, b] : base.by_hubspot_id) hubspot_ids.push_back(hid);
    OpenConflicts conflicts = I.load_conflicts(tx, hubspot_ids);

    for (auto& [lead_id, item] : by_lead) {
      if (auto r = rows.by_id.find(lead_id); r != rows.by_id.end()) {
        item.context.local = r->second;
        item.sync_key = r->second.sync_key;
      }
      if (auto b = base_by_lead.find(lead_id); b != base_by_lead.end()) {
        item.context.base = base.by_hubspot_id.at(b->second);
        if (auto c = conflicts.open.find(b->second); c != conflicts.open.end()) {
          for (const auto& p : c->second) {
            // Unresolved manual conflicts are never pushed; an operator's choice of 'local' unblocks it.
            auto res = conflicts.resolutions.find(b->second);
            bool chose_local = res != conflicts.resolutions.end() && res->second.contains(p) &&
                               res->second.at(p) == core::Side::local;
            if (!chose_local) item.context.blocked_properties.insert(p);
          }
        }
      }
      items.push_back(std::move(item));
    }
    if (!dry_run)
      tx.exec("UPDATE leadsync.changes SET state = 'PENDING', attempts = attempts + 1 WHERE id IN " +
              detail::in_list(claimed));
    return items;
  });
}

void PgStore::complete_push(const std::vector<core::PushOutcome>& outcomes) {
  if (outcomes.empty()) return;
  auto& I = *impl_;
  I.transact("recording HubSpot's answers", true, [&](pqxx::work& tx) {
    const std::string sc = I.scope_literal(tx);
    std::string sql;
    for (const auto& o : outcomes) {
      const std::string ids = detail::in_list(o.change_ids);
      const std::string lead = std::to_string(o.lead_id);
      auto error_cols = [&] {
        return "last_error = " + tx.quote(o.error) + ", http_status = " +
               (o.details.http_status ? std::to_string(o.details.http_status) : std::string("NULL")) +
               ", correlation_id = " +
               (o.details.correlation_id.empty() ? std::string("NULL") : tx.quote(o.details.correlation_id));
      };
      if (o.new_base && o.status != core::PushStatus::ignored)
        sql += I.base_upsert(tx, *o.new_base, o.lead_id) + ";\n";
      const std::string updated_at =
          o.new_base && o.new_base->remote_updated_at
              ? tx.quote(core::format_timestamp(*o.new_base->remote_updated_at)) + "::timestamptz"
              : std::string("hubspot_updated_at");
      switch (o.status) {
        case core::PushStatus::success:
          if (o.action == core::PushAction::archive) {
            if (o.hubspot_id)
              sql += "DELETE FROM leadsync.base WHERE scope = " + sc +
                     " AND hubspot_id = " + tx.quote(*o.hubspot_id) + ";\n";
            sql += "UPDATE " + I.table +
                   " SET sync_status = 'DELETED', sync_error = NULL WHERE id = " + lead + ";\n";
          } else {
            sql += "UPDATE " + I.table + " SET " +
                   (o.action == core::PushAction::create && o.hubspot_id
                        ? "hubspot_id = " + tx.quote(*o.hubspot_id) + ", "
                        : std::string()) +
                   "hubspot_updated_at = " + updated_at +
                   ", sync_status = 'SYNCED', sync_error = NULL WHERE id = " + lead + ";\n";
          }
          sql +=
              "UPDATE leadsync.changes SET state = 'SUCCESS', processed_at = now(), last_error = NULL, "
              "http_status = NULL WHERE id IN " +
              ids + ";\n";
          // Older failures of this lead are superseded: HubSpot now has the row as it is.
          sql += "UPDATE leadsync.changes SET state = 'MERGED', processed_at = now() WHERE scope = " + sc +
                 " AND lead_id = " + lead + " AND state = 'FAILED';\n";
          if (!o.pushed_properties.empty() && o.new_base)
            sql +=
                "UPDATE leadsync.conflicts SET resolved_at = now(), resolution = coalesce(resolve, 'local') "
                "WHERE scope = " +
                sc + " AND hubspot_id = " + tx.quote(o.new_base->hubspot_id) +
                " AND resolved_at IS NULL AND property IN " + detail::in_list(tx, o.pushed_properties) +
                ";\n";
          break;
        case core::PushStatus::failed:
          sql += "UPDATE leadsync.changes SET state = 'FAILED', processed_at = now(), " + error_cols() +
                 " WHERE id IN " + ids + ";\n";
          sql += "UPDATE " + I.table + " SET sync_status = 'FAILED', sync_error = " + tx.quote(o.error) +
                 " WHERE id = " + lead + ";\n";
          break;
        case core::PushStatus::retry:
          sql += "UPDATE leadsync.changes SET state = 'PENDING', next_attempt_at = " +
                 (o.next_attempt_at ? tx.quote(core::format_timestamp(*o.next_attempt_at)) + "::timestamptz"
                                    : std::string("now()")) +
                 ", " + error_cols() + " WHERE id IN " + ids + ";\n";
          sql += "UPDATE " + I.table + " SET sync_status = 'RETRYING', sync_error = " + tx.quote(o.error) +
                 " WHERE id = " + lead + ";\n";
          break;
        case core::PushStatus::merged:
          sql +=
              "UPDATE leadsync.changes SET state = 'MERGED', processed_at = now() WHERE id IN " + ids + ";\n";
          break;
        case core::PushStatus::ignored:
          sql += "UPDATE leadsync.changes SET state = 'IGNORED', processed_at = now() WHERE id IN " + ids +
                 ";\n";
          break;
      }
    }
    tx.exec(sql);
  });
}

std::size_t PgStore::settle_resolved_conflicts() {
  auto& I = *impl_;
  return I.transact("settling resolved conflicts", true, [&](pqxx::work& tx) {
    const std::string sc = I.scope_literal(tx);
    auto r = tx.exec(
        "SELECT id, hubspot_id, lead_id, property, remote_value, resolve FROM leadsync.conflicts "
        "WHERE scope = " +
        sc + " AND resolved_at IS NULL AND resolve IS NOT NULL FOR UPDATE");
    std::string sql;
    for (const auto& row : r) {
      const std::string id = row[0].c_str(), hubspot_id = row[1].c_str(), property = row[3].c_str();
      const std::string resolve = row[5].c_str();
      const std::string lead = row[2].is_null() ? std::string() : row[2].c_str();
      const auto* m = I.mapping.find_property(property);
      if (resolve == "remote" && m && !lead.empty()) {
        core::Value v = row[4].is_null() ? std::nullopt : core::Value(row[4].c_str());
        sql += "UPDATE " + I.table + " SET " + I.set_column(tx, *m, v) + " WHERE id = " + lead + ";\n";
        sql += "UPDATE leadsync.base SET vals = jsonb_set(vals, ARRAY[" + tx.quote(property) + "], " +
               (v ? "to_jsonb(" + tx.quote(*v) + "::text)" : std::string("'null'::jsonb")) +
               ") WHERE scope = " + sc + " AND hubspot_id = " + tx.quote(hubspot_id) + ";\n";
        sql += "UPDATE leadsync.conflicts SET resolved_at = now(), resolution = 'remote' WHERE id = " + id +
               ";\n";
      } else if (resolve == "local" && !lead.empty()) {
        // The push phase sends the local value (no longer blocked) and resolves the conflict on success.
        sql += "INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed) VALUES (" + sc + ", " +
               lead + ", " + tx.quote(hubspot_id) + ", 'UPDATE', '{}'::jsonb);\n";
      } else {
        sql +=
            "UPDATE leadsync.conflicts SET resolved_at = now(), resolution = 'none' WHERE id = " + id + ";\n";
      }
    }
    if (!sql.empty()) tx.exec(sql);
    return static_cast<std::size_t>(r.size());
  });
}

std::size_t PgStore::requeue_failed() {
  auto& I = *impl_;
  return I.transact("requeueing failed changes", false, [&](pqxx::work& tx) {
    auto r = tx.exec(
        "UPDATE leadsync.changes SET state = 'NEW', attempts = 0, next_attempt_at = now(), "
        "processed_at = NULL WHERE scope = " +
        I.scope_literal(tx) + " AND state = 'FAILED'");
    return static_cast<std::size_t>(r.affected_rows());
  });
}

}  // namespace leadsync::db
