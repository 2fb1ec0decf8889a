// PgStore::apply_pull: one transaction per page of remote leads. Contexts are loaded under row locks, the
// engine's planner decides, and the plans are written as few statements as possible (one multi-row INSERT
// for new rows, then one multi-statement batch). If a lead's values are refused by PostgreSQL (a value that
// does not fit, an operator's constraint or trigger), the page is redone lead by lead in savepoints so only
// that lead is left out.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>

#include "dedicated_session.hpp"
#include "dsn_redaction.hpp"
#include "leadsync/db/identifier.hpp"
#include "pg_store_impl.hpp"

namespace leadsync::db {

namespace {

// Batches of at least this many leads are written as two halves in parallel (PgStore::apply_pull).
constexpr std::size_t kParallelPageMin = 40;

// The row of a lead whose HubSpot values PostgreSQL refused says why (sync_error); the next successful pull
// of that lead clears it. The prefix tells these apart from push failures, which only a push clears.
constexpr const char* kPullFailurePrefix = "HubSpot's values were not applied to this row: ";

struct PageWriter {
  PgStore::Impl& I;
  pqxx::transaction_base& tx;
  const std::vector<core::RemoteLead>& leads;
  std::vector<core::PullContext>& contexts;
  std::vector<std::optional<std::int64_t>>& base_leads;
  std::vector<core::PullPlan>& plans;
  std::vector<std::pair<std::string, std::string>>& failed;
  std::optional<std::int64_t> sweep_id;
  // base_written[i]: leads[i]'s base was written here (and so marked as seen by the sweep, if any).
  std::vector<char>& base_written;

  // A value HubSpot sent that the column cannot hold: the lead is reported instead of failing the page.
  bool values_fit(std::size_t i) {
    for (const auto& [p, v] : plans[i].local_updates) {
      const auto* m = I.mapping.find_property(p);
      if (m && !detail::castable(m->type, v)) {
        failed.emplace_back(plans[i].hubspot_id, "HubSpot value '" + v.value_or("") + "' of " + p +
                                                     " does not fit column " + m->column + " (" +
                                                     detail::write_cast(m->type) + ")");
        return false;
      }
    }
    return true;
  }

  // Inserts the rows of create plans (one statement, one array per column); fills plans[i].row_id.
  void insert_rows(const std::vector<std::size_t>& idx) {
    if (idx.empty()) return;
    std::vector<const core::PropertyMapping*> pulled;
    for (const auto& m : I.mapping.properties)
      if (m.pulls()) pulled.push_back(&m);
    // The hubspot id, its timestamp and the text columns in binary format (detail::BinaryArray); columns of
    // other types as literals, which PostgreSQL casts (their binary formats are not worth writing here).
    // Parameters: the literals first ($1...), then the binary ones.
    using detail::BinaryArray;
    BinaryArray ids_col(BinaryArray::kText), updated_col(BinaryArray::kTimestamptz);
    std::vector<bool> binary(pulled.size());
    std::vector<BinaryArray> binary_cols;
    std::vector<detail::ArrayLiteral> literal_cols;
    std::vector<std::size_t> slot(pulled.size());  // index into binary_cols or literal_cols
    for (std::size_t k = 0; k < pulled.size(); ++k) {
      binary[k] = std::string_view(detail::write_cast(pulled[k]->type)) == "text";
      slot[k] = binary[k] ? binary_cols.size() : literal_cols.size();
      if (binary[k])
        binary_cols.emplace_back(BinaryArray::kText);
      else
        literal_cols.emplace_back();
    }
    for (auto i : idx) {
      const auto& r = leads[i];
      ids_col.add(r.id);
      r.updated_at ? updated_col.add_timestamptz(core::to_epoch_ms(*r.updated_at)) : updated_col.add_null();
      for (std::size_t k = 0; k < pulled.size(); ++k) {
        auto it = plans[i].local_updates.find(pulled[k]->property);
        const core::Value v = it == plans[i].local_updates.end() ? core::Value() : it->second;
        if (!binary[k])
          literal_cols[slot[k]].add(v);
        else if (v)
          binary_cols[slot[k]].add(*v);
        else
          binary_cols[slot[k]].add_null();
      }
    }
    const std::size_t first_binary = literal_cols.size() + 1;  // $n of the hubspot ids
    std::string names = "hubspot_id, hubspot_updated_at, sync_status";
    std::string select = "u.c0, u.c1, 'SYNCED'";
    std::string arrays = "$" + std::to_string(first_binary) + "::text[], $" +
                         std::to_string(first_binary + 1) + "::timestamptz[]";
    std::string aliases = "c0, c1";
    for (std::size_t k = 0; k < pulled.size(); ++k) {
      const auto c = "c" + std::to_string(k + 2);
      const std::size_t n = binary[k] ? first_binary + 2 + slot[k] : 1 + slot[k];
      names += ", " + quote_identifier(pulled[k]->column);
      select += ", u." + c;
      arrays += ", $" + std::to_string(n) + "::" + detail::write_cast(pulled[k]->type) + "[]";
      aliases += ", " + c;
    }
    std::vector<std::string> params;
    for (auto& c : literal_cols) params.push_back(c.str());
    std::vector<pqxx::binarystring> binary_params{ids_col.param(), updated_col.param()};
    for (auto& c : binary_cols) binary_params.push_back(c.param());
    std::map<std::string, std::int64_t> ids;
    for (const auto& row :
         I.exec_prepared(tx,
                         "INSERT INTO " + I.table + " (" + names + ") SELECT " + select + " FROM unnest(" +
                             arrays + ") AS u(" + aliases + ") RETURNING id, hubspot_id",
                         params, binary_params))
      ids[row[1].c_str()] = row[0].as<std::int64_t>();
    for (auto i : idx) plans[i].row_id = ids.at(plans[i].hubspot_id);
  }

  // Association rows to add, one array per column: rows of leads created in this transaction cannot exist yet
  // (a plain INSERT); the others may (ON CONFLICT DO NOTHING, which costs a check per row).
  // In binary format: four rows per lead make these the pull's largest arrays.
  struct AssocRows {
    detail::BinaryArray lead{detail::BinaryArray::kInt8}, type{detail::BinaryArray::kText},
        id{detail::BinaryArray::kText}, type_id{detail::BinaryArray::kInt4};
    void add(std::int64_t row_id, const core::AssociationKey& a) {
      lead.add_int8(row_id);
      type.add(a.to_object_type);
      id.add(a.to_object_id);
      type_id.add_int4(static_cast<std::int32_t>(a.type_id));
    }
    void insert(PgStore::Impl& I, pqxx::transaction_base& tx, bool may_exist) {
      if (!lead.size()) return;
      I.exec_prepared(tx,
                      "INSERT INTO " + I.assoc_table +
                          " (lead_id, to_object_type, to_object_id, association_type_id) "
                          "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[])" +
                          (may_exist ? " ON CONFLICT DO NOTHING" : ""),
                      {}, {lead.param(), type.param(), id.param(), type_id.param()});
    }
  };

  void append_assoc_removals(std::string& sql, std::int64_t row_id, const core::PullPlan& plan) {
    for (const auto& a : plan.local_assoc_remove)
      sql += "DELETE FROM " + I.assoc_table + " WHERE lead_id = " + std::to_string(row_id) +
             " AND to_object_type = " + tx.quote(a.to_object_type) +
             " AND to_object_id = " + tx.quote(a.to_object_id) +
             " AND association_type_id = " + std::to_string(a.type_id) + ";\n";
  }

  void append_update(std::string& sql, std::size_t i) {
    const auto& plan = plans[i];
    const auto& r = leads[i];
    std::vector<std::string> sets;
    for (const auto& [p, v] : plan.local_updates)
      if (const auto* m = I.mapping.find_property(p)) sets.push_back(I.set_column(tx, *m, v));
    if (plan.link_row) sets.push_back("hubspot_id = " + tx.quote(plan.hubspot_id));
    if (plan.set_archived)
      sets.push_back(std::string("archived = ") + (*plan.set_archived ? "true" : "false"));
    if (r.updated_at)
      sets.push_back("hubspot_updated_at = " + tx.quote(core::format_timestamp(*r.updated_at)) +
                     "::timestamptz");
    if (sets.empty()) return;  // association-only change: nothing to write in the row itself
    std::string joined;
    for (const auto& s : sets) joined += (joined.empty() ? "" : ", ") + s;
    sql += "UPDATE " + I.table + " SET " + joined + " WHERE id = " + std::to_string(*plan.row_id) + ";\n";
  }

  void append_conflicts(std::string& sql, std::size_t i) {
    const auto& plan = plans[i];
    const std::string sc = I.scope_literal(tx);
    const std::string row = plan.row_id ? std::to_string(*plan.row_id) : "NULL";
    auto ts = [&](const std::optional<core::WallTime>& t) {
      return t ? tx.quote(core::format_timestamp(*t)) + "::timestamptz" : std::string("NULL");
    };
    auto resolved = [&](const std::string& p) {
      return std::find(plan.resolved_conflicts.begin(), plan.resolved_conflicts.end(), p) !=
             plan.resolved_conflicts.end();
    };
    for (const auto& c : plan.conflicts) {
      if (c.winner && resolved(c.property)) continue;  // an open conflict settled now: updated below
      sql +=
          "INSERT INTO leadsync.conflicts (scope, lead_id, hubspot_id, property, base_value, local_value, "
          "remote_value, local_changed_at, remote_changed_at, policy, resolution, resolved_at) VALUES (" +
          sc + ", " + row + ", " + tx.quote(plan.hubspot_id) + ", " + tx.quote(c.property) + ", " +
          detail::literal(tx, c.base) + ", " + detail::literal(tx, c.local) + ", " +
          detail::literal(tx, c.remote) + ", " + ts(c.local_changed_at) + ", " + ts(c.remote_changed_at) +
          ", " + tx.quote(core::to_string(c.policy)) + ", " +
          (c.winner ? tx.quote(core::to_string(*c.winner)) + ", now()" : std::string("'none', NULL")) + ")" +
          (c.winner ? ";\n"
                    : " ON CONFLICT (scope, hubspot_id, property) WHERE resolved_at IS NULL DO NOTHING;\n");
    }
    for (const auto& p : plan.resolved_conflicts) {
      std::string how = "'none'";
      for (const auto& c : plan.conflicts)
        if (c.property == p && c.winner) how = tx.quote(core::to_string(*c.winner));
      sql += "UPDATE leadsync.conflicts SET resolved_at = now(), resolution = coalesce(resolve, " + how +
             ") WHERE scope = " + sc + " AND hubspot_id = " + tx.quote(plan.hubspot_id) +
             " AND property = " + tx.quote(p) + " AND resolved_at IS NULL;\n";
    }
  }

  // Writes everything of plans[idx]: new rows, then one batch of the rare per-lead statements (updates,
  // association removals, conflicts), then the association rows and the bases as arrays.
  void write(const std::vector<std::size_t>& idx) {
    std::vector<std::size_t> creates;
    for (auto i : idx)
      if (plans[i].action == core::PullAction::create_local) creates.push_back(i);
    insert_rows(creates);

    std::string sql;
    std::string applied_rows;  // existing rows written now: a pull failure recorded on them is over
    AssocRows new_assocs, more_assocs;
    std::vector<std::pair<const core::BaseState*, std::optional<std::int64_t>>> bases;
    for (auto i : idx) {
      auto& plan = plans[i];
      if (plan.delete_remote_copy_of)
        sql += "INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed) VALUES (" +
               I.scope_literal(tx) + ", " + std::to_string(*plan.delete_remote_copy_of) + ", " +
               tx.quote(plan.hubspot_id) + ", 'DELETE', jsonb_build_object('sync_key', " +
               tx.quote(leads[i].unique_key.value_or("")) + "));\n";
      if (plan.action == core::PullAction::skip) continue;
      if (plan.action == core::PullAction::update_local) append_update(sql, i);
      if (plan.action != core::PullAction::create_local && plan.row_id)
        applied_rows += (applied_rows.empty() ? "" : ", ") + std::to_string(*plan.row_id);
      if (plan.row_id) {
        append_assoc_removals(sql, *plan.row_id, plan);
        auto& rows = plan.action == core::PullAction::create_local ? new_assocs : more_assocs;
        for (const auto& a : plan.local_assoc_add) rows.add(*plan.row_id, a);
      }
      const bool base_changed = !contexts[i].base || !detail::same_base(*contexts[i].base, plan.new_base) ||
                                (plan.row_id && base_leads[i] != plan.row_id);
      if (base_changed) {
        bases.emplace_back(&plan.new_base, plan.row_id);
        base_written[i] = 1;
      }
      append_conflicts(sql, i);
      if (plan.enqueue_push && plan.row_id)
        sql += "INSERT INTO leadsync.changes (scope, lead_id, hubspot_id, op, changed) VALUES (" +
               I.scope_literal(tx) + ", " + std::to_string(*plan.row_id) + ", " + tx.quote(plan.hubspot_id) +
               ", 'UPDATE', '{}'::jsonb);\n";
    }
    if (!applied_rows.empty())
      sql += "UPDATE " + I.table + " SET sync_status = 'SYNCED', sync_error = NULL WHERE id IN (" +
             applied_rows + ") AND starts_with(sync_error, " + tx.quote(kPullFailurePrefix) + ");\n";
    if (!sql.empty()) tx.exec(sql);
    new_assocs.insert(I, tx, false);
    more_assocs.insert(I, tx, true);
    I.upsert_bases(tx, bases, sweep_id);
  }
};

// PostgreSQL's message on one line (ERROR, DETAIL and CONTEXT joined), for sync_error and the log; capped,
// since a DETAIL quotes the failing row and a value can be long.
std::string one_line_reason(const std::string& text) {
  constexpr std::size_t kMax = 1000;
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < kMax; ++i) {
    if (text[i] == '\n') {
      while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
      out += "; ";
    } else {
      out += text[i];
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  if (out.size() >= kMax) out += "...";
  return out;
}

void record_pull_failures(PgStore::Impl& I, pqxx::work& tx,
                          const std::vector<std::pair<std::string, std::string>>& failed) {
  for (const auto& [id, why] : failed) {
    // A savepoint each: an operator's trigger or constraint refusing even this write must not undo the page.
    try {
      pqxx::subtransaction sub(tx, "mark_failed");
      sub.exec("UPDATE " + I.table + " SET sync_status = 'FAILED', sync_error = " +
               sub.quote(std::string(kPullFailurePrefix) + why) + " WHERE hubspot_id = " + sub.quote(id));
      sub.commit();
    } catch (const pqxx::sql_error& e) {
      spdlog::warn("lead {}: could not record the failure on its row: {}", id, e.what());
    }
  }
}

// Records the leads of a sweep's page whose base was not written (those are marked in the base itself).
void record_seen(PgStore::Impl& I, pqxx::transaction_base& tx, const std::vector<core::RemoteLead>& leads,
                 const std::vector<char>& base_written, std::int64_t sweep_id) {
  detail::ArrayLiteral ids;
  for (std::size_t i = 0; i < leads.size(); ++i)
    if (!base_written[i]) ids.add(std::string_view(leads[i].id));
  if (!ids.size()) return;
  I.exec_prepared(tx,
                  "INSERT INTO leadsync.sweep_seen (scope, sweep_id, hubspot_id) SELECT $1, $2::bigint, "
                  "unnest($3::text[]) ON CONFLICT DO NOTHING",
                  {I.scope, std::to_string(sweep_id), ids.str()});
}

// One transaction for `leads` on I's connection (redone lead by lead if PostgreSQL refused one of them).
// `first`: the page's first (or only) part, the one that writes options.save_state.
core::PullApplyResult apply_part(PgStore::Impl& I, const std::vector<core::RemoteLead>& leads,
                                 const core::PullPlanner& planner, const core::PullApplyOptions& options,
                                 bool first) {
  core::PullApplyResult result;
  if (leads.empty()) return result;

  auto run = [&](bool lead_by_lead) {
    // origin_sync false: the SET LOCAL of leadsync.origin is sent below with the others, in one round trip.
    return I.transact("applying HubSpot changes", false, [&](pqxx::work& tx) {
      core::PullApplyResult out;
      // Every read here is a point lookup of <= 100 keys. While a big import grows the tables faster than
      // autovacuum analyzes them, the planner's stale statistics pick sequential scans that get slower with
      // every page; the indexes are always the right plan for this transaction.
      std::string setup = "SET LOCAL leadsync.origin = 'sync'; SET LOCAL enable_seqscan = off;";
      if (first && options.save_state && !options.dry_run)
        setup += I.state_upsert_sql(tx, options.save_state->first, options.save_state->second);
      tx.exec(setup);
      std::vector<std::optional<std::int64_t>> base_leads;
      auto contexts = I.load_pull_contexts(tx, leads, /*for_update=*/true, &base_leads);
      out.plans.reserve(leads.size());
      for (std::size_t i = 0; i < leads.size(); ++i) out.plans.push_back(planner(leads[i], contexts[i]));
      if (options.needs_more) {
        for (std::size_t i = 0; i < leads.size(); ++i)
          if (options.needs_more(leads[i], out.plans[i])) out.needs_more_ids.push_back(leads[i].id);
        if (!out.needs_more_ids.empty()) {  // nothing written: the commit below only releases the locks
          out.plans.clear();
          for (std::size_t i = 0; i < leads.size(); ++i) out.deferred.push_back(i);
          return out;
        }
      }
      if (options.dry_run) return out;  // nothing written; the commit below is empty

      std::vector<char> base_written(leads.size(), 0);
      PageWriter w{I, tx, leads, contexts, base_leads, out.plans, out.failed, options.sweep_id, base_written};
      std::vector<std::size_t> ok;
      for (std::size_t i = 0; i < leads.size(); ++i)
        if (w.values_fit(i))
          ok.push_back(i);
        else
          out.plans[i].action = core::PullAction::skip;
      if (!lead_by_lead) {
        w.write(ok);
      } else {
        for (auto i : ok) {
          try {
            pqxx::subtransaction sub(tx, "lead");
            // libpqxx 6.4 sends a subtransaction's SAVEPOINT with its first exec(); exec_params() (the page's
            // bulk statements) skips that step, and the lead would then run without a savepoint: its failure
            // would abort the whole transaction. A first exec() makes the savepoint real.
            sub.exec("SELECT 1");
            PageWriter one{
                I, sub, leads, contexts, base_leads, out.plans, out.failed, options.sweep_id, base_written};
            one.write({i});
            sub.commit();
          } catch (const pqxx::sql_error& e) {
            base_written[i] = 0;  // rolled back with the rest of this lead
            out.failed.emplace_back(leads[i].id,
                                    "PostgreSQL refused the local write: " + one_line_reason(e.what()));
            out.plans[i].action = core::PullAction::skip;
            out.plans[i].skip_reason = "local write refused";
          }
        }
      }
      record_pull_failures(I, tx, out.failed);
      if (options.sweep_id) record_seen(I, tx, leads, base_written, *options.sweep_id);
      return out;
    });
  };

  try {
    result = run(false);
  } catch (const core::Error& e) {
    if (!is_record_level_sqlstate(e.details().category)) throw;
    spdlog::warn("a lead of this page was refused by PostgreSQL ({}); applying the page lead by lead",
                 e.what());
    result = run(true);
  }
  for (const auto& [id, why] : result.failed) spdlog::warn("lead {} not applied locally: {}", id, why);
  return result;
}

}  // namespace

core::PullApplyResult PgStore::apply_pull(const std::vector<core::RemoteLead>& leads,
                                          const core::PullPlanner& planner,
                                          const core::PullApplyOptions& options) {
  auto& I = *impl_;
  core::PullApplyResult result;
  // One PostgreSQL backend writing is what bounds an import (the daemon itself is mostly idle), so a big
  // batch is written as two halves at once, the second on a second connection: a full sweep's batch of eight
  // list pages (four per half), a search page of 200. Each half is one transaction; the halves hold different
  // leads, so they never wait for each other. Should one half fail, the batch fails as a whole (the sweep
  // cursor, which the first half records, stays at or before it) and is applied again later: the half that
  // did commit then meets its own rows and base, and nothing changes twice. (Four parts on four connections
  // were slower than two in six alternating 50k imports; three were no clear gain in three 100k ones.)
  if (options.dry_run || leads.size() < kParallelPageMin) {
    result = apply_part(I, leads, planner, options, true);
  } else {
    const auto half = static_cast<std::ptrdiff_t>(leads.size() / 2);
    std::vector<core::RemoteLead> first(leads.begin(), leads.begin() + half);
    std::vector<core::RemoteLead> second(leads.begin() + half, leads.end());
    if (!I.twin) I.twin = std::make_unique<Impl>(I.dsn, I.mapping);
    auto other =
        std::async(std::launch::async, [&] { return apply_part(*I.twin, second, planner, options, false); });
    std::exception_ptr failure;
    try {
      result = apply_part(I, first, planner, options, true);
    } catch (...) {
      failure = std::current_exception();
    }
    try {
      auto rest = other.get();
      for (auto& plan : rest.plans) result.plans.push_back(std::move(plan));
      for (auto& f : rest.failed) result.failed.push_back(std::move(f));
      for (auto i : rest.deferred) result.deferred.push_back(static_cast<std::size_t>(half) + i);
      for (auto& id : rest.needs_more_ids) result.needs_more_ids.push_back(std::move(id));
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
    if (failure) std::rethrow_exception(failure);
  }
  if (!options.dry_run) {
    std::int64_t inserted = 0;
    for (const auto& plan : result.plans) inserted += plan.action == core::PullAction::create_local ? 1 : 0;
    I.refresh_statistics_if_grown(inserted);
  }
  return result;
}

void PgStore::Impl::refresh_statistics_if_grown(std::int64_t inserted) {
  // Every read of a pull page is a lookup of <= 100 keys. While an import grows the tables faster than
  // autovacuum analyzes them, the planner works from statistics that say "a few rows" and picks plans that
  // read every row of the scope (e.g. base by its (scope, lead_id) index, then a filter on hubspot_id): each
  // page slower than the one before, the import quadratic (20,000 leads: 0.2 ms -> 8 ms per base lookup).
  // Fresh statistics make the primary keys the obvious plan. ANALYZE samples at most 30,000 rows per table.
  // One ANALYZE of the first rows is what matters: from then on the planner scales its row counts with the
  // tables' physical size, and the key columns' distinctness is a fraction of the rows. With that one ANALYZE
  // alone, a 1M import's last batches were as fast as its first. The later, rare ones only guard against a
  // first 1,000 rows unlike the rest. (One at each doubling cost a 10k import three, ~5 % of its CPU.)
  inserted_since_analyze += inserted;
  inserted_total += inserted;
  const std::int64_t at_last_analyze = inserted_total - inserted_since_analyze;
  if (inserted_since_analyze < std::max<std::int64_t>(1000, 15 * at_last_analyze)) return;
  // The previous ANALYZE still running: count on, and try again after the next page.
  if (analyzing.valid() && analyzing.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
  if (analyzing.valid()) analyzing.get();
  const std::int64_t grown_to = inserted_total;
  inserted_since_analyze = 0;
  // In the background, on a connection of its own: run in line, it stopped the import for 10-30 ms each time
  // with one core idle (the other connection and the HTTP side wait for the page to end).
  analyzing = std::async(std::launch::async, [this, grown_to] {
    const auto t0 = std::chrono::steady_clock::now();
    try {
      if (!analyze_session || !analyze_session->conn.is_open()) {
        analyze_session = std::make_unique<detail::PgSession>(dsn, "leadsync");
        detail::enable_fast_dead_peer_detection(analyze_session->conn);
      }
      pqxx::work tx(analyze_session->conn);
      // Only the key columns the lookups filter on: statistics of the jsonb and value columns cost most of an
      // ANALYZE (sorting the sampled values) and no plan here depends on them. And a small sample (3,000 rows
      // instead of 30,000): these plans need the table's size and the keys' rough distinctness, nothing
      // finer; autovacuum's own ANALYZE later refines them. At the default target the ANALYZEs were a tenth
      // of a 100,000-lead import's database time.
      tx.exec("SET LOCAL default_statistics_target = 10; SET LOCAL lock_timeout = '30s'");
      tx.exec("ANALYZE leadsync.base (scope, hubspot_id, lead_id)");
      tx.exec("ANALYZE " + table + " (id, hubspot_id, sync_key)");
      tx.exec("ANALYZE " + assoc_table + " (lead_id, to_object_type, to_object_id)");
      tx.commit();
    } catch (const std::exception& e) {
      // Only speed depends on it (e.g. an operator's table owned by another role may refuse): never fail a
      // sync. A broken connection is opened again next time.
      analyze_session.reset();
      spdlog::debug("refreshing planner statistics failed: {}", detail::redact_dsn_secrets(e.what()));
      return;
    }
    spdlog::debug(
        "planner statistics refreshed after {} inserted rows in {} ms (in the background)", grown_to,
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
  });
}

}  // namespace leadsync::db
