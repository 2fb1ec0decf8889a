// PgStore: connection, context loading shared by pull and push, sweep bookkeeping, remote deletes,
// state, runs and status. Pull writes are in pg_store_pull.cpp, push bookkeeping in pg_store_push.cpp.
#include <spdlog/spdlog.h>

#include <regex>

#include "api_usage.hpp"
#include "dedicated_session.hpp"
#include "inbox_status.hpp"
#include "leadsync/db/identifier.hpp"
#include "leadsync/db/pg_failure.hpp"
#include "pg_store_impl.hpp"

namespace leadsync::db {

std::int64_t epoch_ms_of(const pqxx::field& f) {
  return f.is_null() ? 0 : f.as<std::int64_t>();
}

bool is_record_level_sqlstate(const std::string& sqlstate) {
  return classify_sqlstate(sqlstate) == PgFailure::record;
}

PgStore::Impl::Impl(std::string dsn_in, core::SyncMapping mapping_in)
    : dsn(std::move(dsn_in)), mapping(std::move(mapping_in)) {
  scope = mapping.qualified_table();
  table = quote_qualified(mapping.schema, mapping.table);
  assoc_table = quote_qualified(mapping.schema, mapping.table + "_associations");
  row_columns = "id, hubspot_id, sync_key::text, archived";
  for (const auto& m : mapping.properties) row_columns += ", " + detail::read_expression(m);
}

pqxx::connection& PgStore::Impl::connection() {
  if (!session || !session->conn.is_open()) {
    session.reset();
    session = std::make_unique<detail::PgSession>(dsn, "leadsync");
    // A silent network partition must fail the batch within seconds (then retried), not hang the cycle
    // until the systemd watchdog kills the process: keepalives and a TCP user timeout as on the leader-lock
    // session.
    detail::enable_fast_dead_peer_detection(session->conn);
    pqxx::nontransaction tx(session->conn);
    // Never wait forever behind an operator's long transaction, nor on one statement (a server that
    // accepts the connection but stalls): fail the batch and retry later. The statement bound stays below
    // the watchdog's stall limit (2 x max(request timeout, max backoff) + 60 s, at least 3 min).
    tx.exec(std::string("SET lock_timeout = '30s'; SET statement_timeout = '") + kDataStatementTimeout + "'");
  }
  return session->conn;
}

pqxx::result PgStore::Impl::exec_prepared(pqxx::transaction_base& tx, const std::string& sql,
                                          const std::vector<std::string>& params) {
  return exec_prepared(tx, sql, params, {});
}

pqxx::result PgStore::Impl::exec_prepared(pqxx::transaction_base& tx, const std::string& sql,
                                          const std::vector<std::string>& params,
                                          const std::vector<pqxx::binarystring>& binary_params) {
  char name[32];
  std::snprintf(name, sizeof name, "leadsync_%016zx", std::hash<std::string>{}(sql));
  tx.conn().prepare(name, sql);  // a no-op once defined with this text (libpqxx prepares on first use)
  return tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(params),
                          pqxx::prepare::make_dynamic_params(binary_params));
}

LoadedRows PgStore::Impl::load_rows(pqxx::transaction_base& tx, const KeyFilter& filter, bool for_update) {
  LoadedRows rows;
  // Each row with its association rows, in ONE statement and so from one snapshot. Read by two statements, a
  // row deleted in between (its association rows going with it: ON DELETE CASCADE) was seen without any
  // associations, and the push marked its create FAILED for want of a primary association (found by the
  // convergence test, seed 15 in CI: a local DELETE committed while a push was claiming the row's create).
  auto r = exec_prepared(tx,
                         "SELECT " + row_columns +
                             ", (SELECT json_agg(json_build_array(a.to_object_type, "
                             "a.to_object_id, a.association_type_id))::text FROM " +
                             assoc_table + " a WHERE a.lead_id = t.id) FROM " + table + " t WHERE " +
                             filter.where + (for_update ? " FOR UPDATE" : ""),
                         filter.params);
  const auto assoc_column = static_cast<pqxx::row::size_type>(4 + mapping.properties.size());
  for (const auto& row : r) {
    core::LocalLead l;
    l.row_id = row[0].as<std::int64_t>();
    if (!row[1].is_null()) l.hubspot_id = row[1].c_str();
    l.sync_key = row[2].c_str();
    l.archived = row[3].as<bool>();
    for (std::size_t i = 0; i < mapping.properties.size(); ++i) {
      const auto& m = mapping.properties[i];
      const auto& f = row[static_cast<pqxx::row::size_type>(4 + i)];
      l.values[m.property] =
          f.is_null() ? std::nullopt : core::normalize_value(m.type, std::string_view(f.c_str(), f.size()));
    }
    if (!row[assoc_column].is_null())
      l.associations = detail::decode_association_rows(row[assoc_column].c_str());
    if (l.hubspot_id)
      rows.by_hubspot_id[*l.hubspot_id] = l.row_id;
    else
      rows.unlinked_by_sync_key[l.sync_key] = l.row_id;
    rows.by_id.emplace(l.row_id, std::move(l));
  }
  return rows;
}

void PgStore::Impl::load_local_changes(pqxx::transaction_base& tx, LoadedRows& rows,
                                       const std::vector<std::int64_t>& lead_ids) {
  if (lead_ids.empty()) return;
  // Unsynced local edits: open ones and FAILED ones (a failed push is still a local change HubSpot lacks).
  auto r = exec_prepared(tx,
                         "SELECT lead_id, op, changed::text, (extract(epoch FROM created_at) * 1000)::bigint "
                         "FROM leadsync.changes WHERE scope = $1 AND lead_id = ANY($2::bigint[]) "
                         "AND state IN ('NEW', 'PENDING', 'FAILED')",
                         {scope, detail::array_literal(lead_ids)});
  for (const auto& row : r) {
    const auto lead_id = row[0].as<std::int64_t>();
    const std::string op = row[1].c_str();
    if (op == "DELETE") rows.delete_pending.insert(lead_id);
    auto it = rows.by_id.find(lead_id);
    if (it == rows.by_id.end()) continue;
    auto& local = it->second;
    const auto at = core::from_epoch_ms(epoch_ms_of(row[3]));
    if (op == "ASSOC_ADD" || op == "ASSOC_REMOVE") {
      local.associations_changed = true;
    } else if (op == "INSERT" || op == "UPDATE") {
      for (const auto& [column, value] : detail::decode_values(row[2].c_str())) {
        (void)value;
        if (const auto* m = mapping.find_column(column)) {
          auto& t = local.changed_at[m->property];
          if (t < at) t = at;
        }
      }
    }
  }
}

LoadedBase PgStore::Impl::load_base(pqxx::transaction_base& tx, const KeyFilter& filter, bool for_update) {
  LoadedBase base;
  auto r = exec_prepared(
      tx,
      "SELECT hubspot_id, lead_id, vals::text, stamps::text, associations::text, "
      "(extract(epoch FROM remote_updated_at) * 1000)::bigint, superseded::text FROM leadsync.base "
      "WHERE scope = " +
          scope_literal(tx) + " AND (" + filter.where + ")" + (for_update ? " FOR UPDATE" : ""),
      filter.params);
  for (const auto& row : r) {
    core::BaseState b;
    b.hubspot_id = row[0].c_str();
    b.values = detail::decode_values(row[2].c_str());
    if (!row[4].is_null()) b.associations = detail::decode_associations(row[4].c_str());
    if (!row[5].is_null()) b.remote_updated_at = core::from_epoch_ms(row[5].as<std::int64_t>());
    b.changed_at = detail::decode_times(row[3].c_str(), b.values, b.remote_updated_at);
    if (!row[6].is_null()) detail::decode_superseded(row[6].c_str(), b);
    if (!row[1].is_null()) base.lead_id[b.hubspot_id] = row[1].as<std::int64_t>();
    base.by_hubspot_id.emplace(b.hubspot_id, std::move(b));
  }
  return base;
}

OpenConflicts PgStore::Impl::load_conflicts(pqxx::transaction_base& tx,
                                            const std::vector<std::string>& hubspot_ids) {
  OpenConflicts out;
  if (hubspot_ids.empty()) return out;
  auto r = exec_prepared(tx,
                         "SELECT hubspot_id, property, resolve FROM leadsync.conflicts WHERE scope = $1 "
                         "AND resolved_at IS NULL AND hubspot_id = ANY($2::text[])",
                         {scope, detail::array_literal(hubspot_ids)});
  for (const auto& row : r) {
    out.open[row[0].c_str()].insert(row[1].c_str());
    if (!row[2].is_null())
      out.resolutions[row[0].c_str()][row[1].c_str()] =
          std::string(row[2].c_str()) == "local" ? core::Side::local : core::Side::remote;
  }
  return out;
}

std::vector<core::PullContext> PgStore::Impl::load_pull_contexts(
    pqxx::transaction_base& tx, const std::vector<core::RemoteLead>& leads, bool for_update,
    std::vector<std::optional<std::int64_t>>* base_lead_ids) {
  static const std::regex uuid(
      R"([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
  std::vector<std::string> ids, keys;
  for (const auto& l : leads) {
    ids.push_back(l.id);
    if (l.unique_key && std::regex_match(*l.unique_key, uuid)) keys.push_back(*l.unique_key);
  }
  KeyFilter by_id{"hubspot_id = ANY($1::text[])", {detail::array_literal(ids)}};
  KeyFilter by_id_or_key = by_id;
  if (!keys.empty()) {
    by_id_or_key.where += " OR (hubspot_id IS NULL AND sync_key = ANY($2::uuid[]))";
    by_id_or_key.params.push_back(detail::array_literal(keys));
  }
  LoadedRows rows = load_rows(tx, by_id_or_key, for_update);
  LoadedBase base = load_base(tx, by_id, for_update);
  std::vector<std::int64_t> lead_ids;
  for (const auto& [id, row] : rows.by_id) lead_ids.push_back(id);
  for (const auto& [hid, lid] : base.lead_id)
    if (!rows.by_id.contains(lid)) lead_ids.push_back(lid);
  load_local_changes(tx, rows, lead_ids);
  OpenConflicts conflicts = load_conflicts(tx, ids);
  // Rows deleted locally before their create was confirmed: the open DELETE carries the sync_key (migration
  // 0011). A HubSpot lead with that unique key is the unconfirmed create, which the push deletes; importing
  // it would resurrect the row.
  // And rows whose DELETE already went out: a HubSpot lead carrying such a row's unique key is a late copy of
  // its create (a create request that timed out, was given up for the copy read back, and reached HubSpot
  // after the delete). It gets a DELETE of its own instead of a row.
  std::set<std::string> deleted_keys;
  std::map<std::string, std::int64_t> deleted_before;  // sync_key -> the deleted row's id
  if (!keys.empty()) {
    const std::string key_array = detail::array_literal(keys);
    auto r = exec_prepared(tx,
                           "SELECT changed ->> 'sync_key', state IN ('NEW', 'PENDING', 'FAILED'), lead_id "
                           "FROM leadsync.changes WHERE scope = $1 AND op = 'DELETE' "
                           "AND changed ->> 'sync_key' = ANY($2::text[])",
                           {scope, key_array});
    for (const auto& row : r) {
      if (row[1].as<bool>())
        deleted_keys.insert(row[0].c_str());
      else
        deleted_before.emplace(row[0].c_str(), row[2].as<std::int64_t>());
    }
    // A row archived locally (archived = true) keeps its sync_key and its link to the lead it was synced
    // with; another HubSpot lead with that key is the same kind of late copy. By the sync_key index (the keys
    // are UUIDs, checked above), not a scan of every archived row.
    for (const auto& row :
         exec_prepared(tx,
                       "SELECT sync_key::text, id FROM " + table +
                           " WHERE sync_key = ANY($1::uuid[]) AND archived AND hubspot_id IS NOT NULL",
                       {key_array}))
      deleted_before.emplace(row[0].c_str(), row[1].as<std::int64_t>());
  }

  std::vector<core::PullContext> contexts;
  contexts.reserve(leads.size());
  if (base_lead_ids) base_lead_ids->clear();
  for (const auto& remote : leads) {
    core::PullContext ctx;
    if (auto b = base.by_hubspot_id.find(remote.id); b != base.by_hubspot_id.end()) ctx.base = b->second;
    std::optional<std::int64_t> row_id;
    if (auto r = rows.by_hubspot_id.find(remote.id); r != rows.by_hubspot_id.end()) {
      row_id = r->second;
    } else if (remote.unique_key) {
      if (auto k = rows.unlinked_by_sync_key.find(*remote.unique_key); k != rows.unlinked_by_sync_key.end())
        row_id = k->second;
    }
    if (row_id) ctx.local = rows.by_id.at(*row_id);
    std::optional<std::int64_t> base_lead;
    if (auto bl = base.lead_id.find(remote.id); bl != base.lead_id.end()) base_lead = bl->second;
    if (!ctx.local && base_lead && rows.delete_pending.contains(*base_lead)) ctx.local_delete_pending = true;
    if (!ctx.local && !ctx.base && remote.unique_key && deleted_keys.contains(*remote.unique_key))
      ctx.local_delete_pending = true;
    else if (!ctx.local && !ctx.base && remote.unique_key)
      if (auto d = deleted_before.find(*remote.unique_key); d != deleted_before.end())
        ctx.deleted_row = d->second;
    if (auto c = conflicts.open.find(remote.id); c != conflicts.open.end())
      ctx.open_manual_conflicts = c->second;
    if (auto c = conflicts.resolutions.find(remote.id); c != conflicts.resolutions.end())
      ctx.manual_resolutions = c->second;
    if (base_lead_ids) base_lead_ids->push_back(base_lead);
    contexts.push_back(std::move(ctx));
  }
  return contexts;
}

namespace {
// What an upsert of leadsync.base changes in an existing row (lead_id only ever gets set).
constexpr const char* kBaseOnConflict =
    " ON CONFLICT (scope, hubspot_id) DO UPDATE SET lead_id = coalesce(EXCLUDED.lead_id, "
    "leadsync.base.lead_id), "
    "vals = EXCLUDED.vals, stamps = EXCLUDED.stamps, associations = EXCLUDED.associations, "
    "remote_updated_at = EXCLUDED.remote_updated_at, synced_at = now()";
}  // namespace

std::string PgStore::Impl::base_upsert(pqxx::transaction_base& tx, const core::BaseState& b,
                                       std::optional<std::int64_t> lead_id) {
  // Only the push writes `superseded` (what its earlier, unconfirmed attempts may still set in HubSpot); the
  // pull's upserts leave it as it is.
  const std::string superseded = detail::encode_superseded(b);
  return "INSERT INTO leadsync.base (scope, hubspot_id, lead_id, vals, stamps, associations, "
         "remote_updated_at, "
         "synced_at, superseded) VALUES (" +
         scope_literal(tx) + ", " + tx.quote(b.hubspot_id) + ", " +
         (lead_id ? std::to_string(*lead_id) : "NULL") + ", " + tx.quote(detail::encode_values(b.values)) +
         "::jsonb, " + tx.quote(detail::encode_times(b.changed_at, b.remote_updated_at)) + "::jsonb, " +
         (b.associations ? tx.quote(detail::encode_associations(*b.associations)) + "::jsonb"
                         : std::string("NULL")) +
         ", " +
         (b.remote_updated_at ? tx.quote(core::format_timestamp(*b.remote_updated_at)) + "::timestamptz"
                              : std::string("NULL")) +
         ", now(), " + (superseded.empty() ? std::string("NULL") : tx.quote(superseded) + "::jsonb") + ")" +
         kBaseOnConflict + ", superseded = EXCLUDED.superseded";
}

void PgStore::Impl::upsert_bases(
    pqxx::transaction_base& tx,
    const std::vector<std::pair<const core::BaseState*, std::optional<std::int64_t>>>& rows,
    std::optional<std::int64_t> seen_sweep) {
  if (rows.empty()) return;
  using detail::BinaryArray;
  BinaryArray ids(BinaryArray::kText), leads(BinaryArray::kInt8), vals(BinaryArray::kJsonb),
      stamps(BinaryArray::kJsonb), assocs(BinaryArray::kJsonb), updated(BinaryArray::kTimestamptz);
  for (const auto& [b, lead_id] : rows) {
    ids.add(b->hubspot_id);
    lead_id ? leads.add_int8(*lead_id) : leads.add_null();
    vals.add_jsonb(detail::encode_values(b->values));
    stamps.add_jsonb(detail::encode_times(b->changed_at, b->remote_updated_at));
    b->associations ? assocs.add_jsonb(detail::encode_associations(*b->associations)) : assocs.add_null();
    b->remote_updated_at ? updated.add_timestamptz(core::to_epoch_ms(*b->remote_updated_at))
                         : updated.add_null();
  }
  exec_prepared(
      tx,
      "INSERT INTO leadsync.base (scope, hubspot_id, lead_id, vals, stamps, associations, remote_updated_at, "
      "synced_at, seen_sweep) SELECT $1, u.*, now(), nullif($2, '')::bigint FROM unnest($3::text[], "
      "$4::bigint[], $5::jsonb[], $6::jsonb[], $7::jsonb[], $8::timestamptz[]) AS u" +
          std::string(kBaseOnConflict) +
          ", seen_sweep = coalesce(EXCLUDED.seen_sweep, leadsync.base.seen_sweep)",
      {scope, seen_sweep ? std::to_string(*seen_sweep) : std::string()},
      {ids.param(), leads.param(), vals.param(), stamps.param(), assocs.param(), updated.param()});
}

std::string PgStore::Impl::set_column(pqxx::transaction_base& tx, const core::PropertyMapping& m,
                                      const core::Value& v) const {
  return quote_identifier(m.column) + " = " + (v ? tx.quote(*v) + "::" + detail::write_cast(m.type) : "NULL");
}

// ---- PgStore ----------------------------------------------------------------------------------------

PgStore::PgStore(std::string dsn, core::SyncMapping mapping)
    : impl_(std::make_unique<Impl>(std::move(dsn), std::move(mapping))) {}

PgStore::~PgStore() = default;

const std::string& PgStore::scope() const {
  return impl_->scope;
}

void PgStore::disconnect() {
  impl_->session.reset();
  if (impl_->twin) impl_->twin->session.reset();
}

core::RemoteDeleteResult PgStore::apply_remote_deletes(const std::vector<std::string>& hubspot_ids,
                                                       core::RemoteDeletePolicy policy, bool dry_run) {
  core::RemoteDeleteResult result;
  if (hubspot_ids.empty()) return result;
  return impl_->transact("applying deletes from HubSpot", true, [&](pqxx::work& tx) {
    auto& I = *impl_;
    const std::string ids = detail::in_list(tx, hubspot_ids);
    auto rows = tx.exec("SELECT id, hubspot_id FROM " + I.table + " WHERE hubspot_id IN " + ids +
                        " AND NOT archived FOR UPDATE");
    std::vector<std::int64_t> lead_ids;
    for (const auto& row : rows) {
      lead_ids.push_back(row[0].as<std::int64_t>());
      result.affected.push_back(row[1].c_str());
    }
    auto base_leads = tx.exec("SELECT lead_id FROM leadsync.base WHERE scope = " + I.scope_literal(tx) +
                              " AND hubspot_id IN " + ids + " AND lead_id IS NOT NULL");
    std::vector<std::int64_t> all_leads = lead_ids;
    for (const auto& row : base_leads) all_leads.push_back(row[0].as<std::int64_t>());
    if (dry_run) {  // report only: nothing below runs, the transaction commits no write
      if (policy == core::RemoteDeletePolicy::archive)
        result.archived_local = lead_ids.size();
      else
        result.deleted_local = lead_ids.size();
      return result;
    }
    if (!lead_ids.empty()) {
      if (policy == core::RemoteDeletePolicy::archive) {
        tx.exec("UPDATE " + I.table +
                " SET archived = true, sync_status = 'DELETED_IN_HUBSPOT', sync_error = NULL "
                "WHERE id IN " +
                detail::in_list(lead_ids));
        result.archived_local = lead_ids.size();
      } else {
        tx.exec("DELETE FROM " + I.table + " WHERE id IN " + detail::in_list(lead_ids));
        result.deleted_local = lead_ids.size();
      }
    }
    tx.exec("DELETE FROM leadsync.base WHERE scope = " + I.scope_literal(tx) + " AND hubspot_id IN " + ids);
    if (!all_leads.empty()) {
      auto ignored = tx.exec(
          "UPDATE leadsync.changes SET state = 'IGNORED', processed_at = now(), "
          "last_error = 'the lead was deleted in HubSpot' WHERE scope = " +
          I.scope_literal(tx) + " AND lead_id IN " + detail::in_list(all_leads) +
          " AND state IN ('NEW', 'PENDING', 'FAILED')");
      result.ignored_changes = ignored.affected_rows();
    }
    return result;
  });
}

std::vector<std::string> PgStore::unseen_by_sweep(std::int64_t sweep_id,
                                                  const std::optional<std::string>& after,
                                                  std::size_t limit) {
  return impl_->transact("listing leads a sweep did not see", false, [&](pqxx::work& tx) {
    auto& I = *impl_;
    // Right after a first import both tables grew from nothing to the whole portal, faster than autovacuum
    // re-analyses them: with statistics that still say "empty" the planner picks a nested loop over a
    // sequential scan of sweep_seen, quadratic in the portal's size (measured: 100,000 leads, >13 minutes).
    // An anti-join by hash or merge is linear whatever the statistics say.
    tx.exec("SET LOCAL enable_nestloop = off");
    auto r = tx.exec(
        "SELECT b.hubspot_id FROM leadsync.base b WHERE b.scope = " + I.scope_literal(tx) +
        (after ? " AND b.hubspot_id > " + tx.quote(*after) : std::string()) +
        " AND b.seen_sweep IS DISTINCT FROM " + std::to_string(sweep_id) +
        " AND NOT EXISTS (SELECT 1 FROM leadsync.sweep_seen s WHERE s.scope = b.scope AND s.sweep_id = " +
        std::to_string(sweep_id) + " AND s.hubspot_id = b.hubspot_id) ORDER BY b.hubspot_id LIMIT " +
        std::to_string(limit));
    std::vector<std::string> out;
    for (const auto& row : r) out.push_back(row[0].c_str());
    return out;
  });
}

void PgStore::end_sweep(std::int64_t sweep_id) {
  impl_->transact("ending a sweep", false, [&](pqxx::work& tx) {
    tx.exec("DELETE FROM leadsync.sweep_seen WHERE scope = " + impl_->scope_literal(tx) +
            " AND sweep_id <= " + std::to_string(sweep_id));
  });
}

std::vector<std::string> PgStore::synced_ids(const std::optional<std::string>& after, std::size_t limit) {
  return impl_->transact("listing synced leads", false, [&](pqxx::work& tx) {
    auto r = tx.exec("SELECT hubspot_id FROM leadsync.base WHERE scope = " + impl_->scope_literal(tx) +
                     (after ? " AND hubspot_id > " + tx.quote(*after) : std::string()) +
                     " ORDER BY hubspot_id LIMIT " + std::to_string(limit));
    std::vector<std::string> out;
    for (const auto& row : r) out.push_back(row[0].c_str());
    return out;
  });
}

std::optional<std::string> PgStore::load_state(const std::string& key) {
  return impl_->transact("reading sync state", false, [&](pqxx::work& tx) -> std::optional<std::string> {
    auto r = tx.exec("SELECT value FROM leadsync.sync_state WHERE scope = " + impl_->scope_literal(tx) +
                     " AND key = " + tx.quote(key));
    if (r.empty() || r[0][0].is_null()) return std::nullopt;
    return std::string(r[0][0].c_str());
  });
}

std::string PgStore::Impl::state_upsert_sql(pqxx::transaction_base& tx, const std::string& key,
                                            const std::string& value) {
  return "INSERT INTO leadsync.sync_state (scope, key, value, updated_at) VALUES (" + scope_literal(tx) +
         ", " + tx.quote(key) + ", " + tx.quote(value) +
         ", now()) ON CONFLICT (scope, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();";
}

void PgStore::save_state(const std::string& key, const std::string& value) {
  impl_->transact("saving sync state", false,
                  [&](pqxx::work& tx) { tx.exec(impl_->state_upsert_sql(tx, key, value)); });
}

std::int64_t PgStore::begin_run(const std::string& mode) {
  return impl_->transact("recording a run", false, [&](pqxx::work& tx) {
    auto r = tx.exec("INSERT INTO leadsync.runs (scope, mode) VALUES (" + impl_->scope_literal(tx) + ", " +
                     tx.quote(mode) + ") RETURNING id");
    return r[0][0].as<std::int64_t>();
  });
}

void PgStore::finish_run(std::int64_t run_id, const core::RunRecord& rec) {
  impl_->transact("recording a run", false, [&](pqxx::work& tx) {
    const auto& n = rec.counts;
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(rec.finished_at - rec.started_at).count();
    tx.exec("UPDATE leadsync.runs SET status = " + tx.quote(rec.status) +
            ", finished_at = now(), duration_ms = " + std::to_string(ms) +
            ", pulled = " + std::to_string(n.pulled) + ", pushed = " + std::to_string(n.pushed) +
            ", created_remote = " + std::to_string(n.created_remote) + ", created_local = " +
            std::to_string(n.created_local) + ", updated_local = " + std::to_string(n.updated_local) +
            ", updated_remote = " + std::to_string(n.updated_remote) + ", deleted_local = " +
            std::to_string(n.deleted_local) + ", deleted_remote = " + std::to_string(n.deleted_remote) +
            ", conflicts = " + std::to_string(n.conflicts) + ", failed = " + std::to_string(n.failed) +
            ", echoes_suppressed = " + std::to_string(n.echoes_suppressed) +
            ", api_calls = " + std::to_string(n.api_calls) +
            ", api_calls_by_activity = " + tx.quote(detail::api_calls_json(n.api_calls_by_activity)) +
            "::jsonb, error = " + (rec.error.empty() ? "NULL" : tx.quote(rec.error)) +
            " WHERE id = " + std::to_string(run_id));
  });
}

StoreStatus PgStore::status(std::size_t last_runs) {
  return impl_->transact("reading status", false, [&](pqxx::work& tx) {
    auto& I = *impl_;
    StoreStatus s;
    const auto sc = I.scope_literal(tx);
    for (const auto& row : tx.exec("SELECT key, coalesce(value, '') FROM leadsync.sync_state WHERE scope = " +
                                   sc + " ORDER BY key"))
      s.state.emplace_back(row[0].c_str(), row[1].c_str());
    for (const auto& row :
         tx.exec("SELECT id, mode, status, to_char(started_at AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
                 "coalesce(to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), "
                 "coalesce(duration_ms, 0), pulled, pushed, created_remote, created_local, updated_local, "
                 "updated_remote, deleted_local, deleted_remote, conflicts, failed, echoes_suppressed, "
                 "api_calls, "
                 "coalesce(error, '') FROM leadsync.runs WHERE scope = " +
                 sc + " ORDER BY id DESC LIMIT " + std::to_string(last_runs))) {
      StoreStatus::Run run;
      run.id = row[0].as<std::int64_t>();
      run.mode = row[1].c_str();
      run.status = row[2].c_str();
      run.started_at = row[3].c_str();
      run.finished_at = row[4].c_str();
      run.duration_ms = row[5].as<std::int64_t>();
      auto& n = run.counts;
      n.pulled = row[6].as<std::int64_t>();
      n.pushed = row[7].as<std::int64_t>();
      n.created_remote = row[8].as<std::int64_t>();
      n.created_local = row[9].as<std::int64_t>();
      n.updated_local = row[10].as<std::int64_t>();
      n.updated_remote = row[11].as<std::int64_t>();
      n.deleted_local = row[12].as<std::int64_t>();
      n.deleted_remote = row[13].as<std::int64_t>();
      n.conflicts = row[14].as<std::int64_t>();
      n.failed = row[15].as<std::int64_t>();
      n.echoes_suppressed = row[16].as<std::int64_t>();
      n.api_calls = row[17].as<std::int64_t>();
      run.error = row[18].c_str();
      s.last_runs.push_back(std::move(run));
    }
    s.api_usage = detail::read_api_usage(tx, I.scope);
    s.inbox = detail::read_inbox_status(tx, I.scope);
    auto counts = tx.exec(
        "SELECT count(*) FILTER (WHERE state = 'NEW'), count(*) FILTER (WHERE state = 'PENDING'), "
        "count(*) FILTER (WHERE state = 'FAILED') FROM leadsync.changes WHERE scope = " +
        sc + " AND state IN ('NEW', 'PENDING', 'FAILED')");
    s.changes_new = counts[0][0].as<std::int64_t>();
    s.changes_pending = counts[0][1].as<std::int64_t>();
    s.changes_failed = counts[0][2].as<std::int64_t>();
    s.open_conflicts = tx.exec("SELECT count(*) FROM leadsync.conflicts WHERE scope = " + sc +
                               " AND resolved_at IS NULL")[0][0]
                           .as<std::int64_t>();
    auto rows =
        tx.exec("SELECT count(*), count(hubspot_id), count(*) FILTER (WHERE archived) FROM " + I.table);
    s.rows = rows[0][0].as<std::int64_t>();
    s.rows_linked = rows[0][1].as<std::int64_t>();
    s.rows_archived = rows[0][2].as<std::int64_t>();
    for (const auto& row :
         tx.exec("SELECT lead_id, op, coalesce(last_error, ''), coalesce(correlation_id, ''), "
                 "coalesce(http_status, 0) FROM leadsync.changes WHERE scope = " +
                 sc + " AND state = 'FAILED' ORDER BY id DESC LIMIT 10"))
      s.recent_failures.push_back(
          {row[0].as<std::int64_t>(), row[1].c_str(), row[2].c_str(), row[3].c_str(), row[4].as<int>()});
    return s;
  });
}

}  // namespace leadsync::db
