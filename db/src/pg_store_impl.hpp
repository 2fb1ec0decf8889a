#pragma once
// Internal to leadsync_db: PgStore's state and the helpers its .cpp files share.
#include <future>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "leadsync/db/pg_store.hpp"
#include "pg_error.hpp"
#include "pg_session.hpp"
#include "store_sql.hpp"

namespace leadsync::db {

// Rows of the mapped table with their associations and unsynced local changes.
struct LoadedRows {
  std::map<std::int64_t, core::LocalLead> by_id;
  std::map<std::string, std::int64_t> by_hubspot_id;
  std::map<std::string, std::int64_t> unlinked_by_sync_key;
  std::set<std::int64_t> delete_pending;  // lead ids with an open DELETE change (row may be gone)
};

struct LoadedBase {
  std::map<std::string, core::BaseState> by_hubspot_id;
  std::map<std::string, std::int64_t> lead_id;  // hubspot id -> base.lead_id
};

struct OpenConflicts {
  std::map<std::string, std::set<std::string>> open;                     // hubspot id -> properties
  std::map<std::string, std::map<std::string, core::Side>> resolutions;  // operator choices
};

// A WHERE clause with $1, $2, ... and the values of those parameters (e.g. array literals of the keys).
struct KeyFilter {
  std::string where;
  std::vector<std::string> params;
};

// statement_timeout of the data connection (see PgStore::Impl::connection).
inline constexpr const char* kDataStatementTimeout = "2min";

struct PgStore::Impl {
  Impl(std::string dsn_in, core::SyncMapping mapping_in);

  std::string dsn;
  core::SyncMapping mapping;
  std::string scope;        // schema.table
  std::string table;        // quoted "schema"."table"
  std::string assoc_table;  // quoted "schema"."table_associations"
  std::string row_columns;  // SELECT list: id, hubspot_id, sync_key, archived, <mapped exprs>
  std::unique_ptr<detail::PgSession> session;
  // A second store on its own connection that writes half of each big pull page (apply_pull); made on first
  // use, so a daemon that never pulls a big page never opens it.
  std::unique_ptr<Impl> twin;
  // Rows the pull inserted since this process last refreshed the planner's statistics (see
  // refresh_statistics_if_grown), and how many it had inserted in all at that point.
  std::int64_t inserted_since_analyze = 0;
  std::int64_t inserted_total = 0;
  // The ANALYZEs run on a connection of their own, in the background (analyzing), while the pull goes on.
  // Declared in this order, the future is destroyed (waited for) before the session it uses.
  std::unique_ptr<detail::PgSession> analyze_session;
  std::future<void> analyzing;

  pqxx::connection& connection();
  std::string q(pqxx::transaction_base& tx, const std::string& s) const { return tx.quote(s); }
  std::string scope_literal(pqxx::transaction_base& tx) const { return tx.quote(scope); }

  // Runs `f(tx)` in one transaction, classifying failures; `origin_sync` marks the writes as leadsync's.
  template <typename F>
  auto transact(const std::string& doing, bool origin_sync, F&& f)
      -> decltype(f(std::declval<pqxx::work&>()));

  // Runs `sql` ($n parameters) as a prepared statement of the transaction's connection, named after its text:
  // PostgreSQL parses and plans it once per connection instead of once per page (planning the pull's reads
  // and writes cost ~8 us per imported lead, measured with pg_stat_statements.track_planning).
  pqxx::result exec_prepared(pqxx::transaction_base& tx, const std::string& sql,
                             const std::vector<std::string>& params);
  // The same with parameters in binary format (BinaryArray), numbered after the text ones.
  pqxx::result exec_prepared(pqxx::transaction_base& tx, const std::string& sql,
                             const std::vector<std::string>& params,
                             const std::vector<pqxx::binarystring>& binary_params);
  // The statement that upserts one leadsync.sync_state entry of this scope (literals quoted for tx).
  std::string state_upsert_sql(pqxx::transaction_base& tx, const std::string& key, const std::string& value);

  LoadedRows load_rows(pqxx::transaction_base& tx, const KeyFilter& filter, bool for_update);
  void load_local_changes(pqxx::transaction_base& tx, LoadedRows& rows,
                          const std::vector<std::int64_t>& lead_ids);
  LoadedBase load_base(pqxx::transaction_base& tx, const KeyFilter& filter, bool for_update);
  OpenConflicts load_conflicts(pqxx::transaction_base& tx, const std::vector<std::string>& hubspot_ids);

  std::vector<core::PullContext> load_pull_contexts(pqxx::transaction_base& tx,
                                                    const std::vector<core::RemoteLead>& leads,
                                                    bool for_update,
                                                    std::vector<std::optional<std::int64_t>>* base_lead_ids);
  std::string base_upsert(pqxx::transaction_base& tx, const core::BaseState& b,
                          std::optional<std::int64_t> lead_id);
  // base_upsert for many leads (distinct hubspot ids) as one statement with an array per column (the pull's
  // bulk path); the rows are also marked as seen by full sweep `seen_sweep` when there is one.
  void upsert_bases(pqxx::transaction_base& tx,
                    const std::vector<std::pair<const core::BaseState*, std::optional<std::int64_t>>>& rows,
                    std::optional<std::int64_t> seen_sweep);
  std::string set_column(pqxx::transaction_base& tx, const core::PropertyMapping& m,
                         const core::Value& v) const;
  // After a pull inserted `inserted` rows: ANALYZE the tables it writes after the first 1,000 rows this
  // process inserted, then each time they grew sixteen-fold (1,600, ~26,000, ~410,000 rows in an import of
  // 800-lead batches). It starts them in the background and returns; while they still run, the next call
  // starts none.
  void refresh_statistics_if_grown(std::int64_t inserted);
};

template <typename F>
auto PgStore::Impl::transact(const std::string& doing, bool origin_sync, F&& f)
    -> decltype(f(std::declval<pqxx::work&>())) {
  try {
    pqxx::work tx(connection());
    if (origin_sync) tx.exec("SET LOCAL leadsync.origin = 'sync'");
    if constexpr (std::is_void_v<decltype(f(tx))>) {
      f(tx);
      tx.commit();
    } else {
      auto result = f(tx);
      tx.commit();
      return result;
    }
  } catch (const pqxx::broken_connection&) {
    session.reset();
    detail::rethrow_as_core_error(doing);
  } catch (const pqxx::in_doubt_error&) {
    session.reset();
    detail::rethrow_as_core_error(doing);
  } catch (...) {
    detail::rethrow_as_core_error(doing);
  }
}

std::int64_t epoch_ms_of(const pqxx::field& f);
bool is_record_level_sqlstate(const std::string& sqlstate);

}  // namespace leadsync::db
