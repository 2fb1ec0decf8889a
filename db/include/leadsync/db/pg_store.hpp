#pragma once
// PgStore: the PostgreSQL implementation of core::LeadStore for one mapped table (the "scope", e.g.
// public.hubspot_leads). Each method is one transaction on the store's own connection; leadsync's writes run
// with SET LOCAL leadsync.origin = 'sync' so the capture triggers ignore them. The connection is opened
// lazily and reopened after it broke (the failing call throws a transient core::Error).
// Requires the migrations to be applied and db::SchemaManager::ensure_schema to have run for the mapping.
// Throws core::Error (see db/src/pg_error.hpp for the classification).
// Thread-safety: not thread-safe; the engine calls it from one executor.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leadsync/core/mapping.hpp"
#include "leadsync/core/ports.hpp"
#include "leadsync/db/inbox_status.hpp"

namespace leadsync::db {

// What --status shows (besides the HubSpot budget, which the daemon knows).
struct StoreStatus {
  std::vector<std::pair<std::string, std::string>> state;  // sync_state keys and values
  struct Run {
    std::int64_t id = 0;
    std::string mode, status, started_at, finished_at, error;
    std::int64_t duration_ms = 0;
    core::RunCounts counts;
  };
  std::vector<Run> last_runs;  // newest first
  std::int64_t changes_new = 0, changes_pending = 0, changes_failed = 0;
  std::int64_t open_conflicts = 0;
  std::int64_t rows = 0, rows_linked = 0, rows_archived = 0;
  struct Failure {
    std::int64_t lead_id = 0;
    std::string op, error, correlation_id;
    int http_status = 0;
  };
  std::vector<Failure> recent_failures;  // newest first
  core::ApiUsage api_usage;              // runs of the last 24 hours
  InboxStatus inbox;                     // webhook events (empty unless webhooks were ever enabled)
};

class PgStore final : public core::LeadStore {
 public:
  PgStore(std::string dsn, core::SyncMapping mapping);
  ~PgStore() override;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;

  const std::string& scope() const;

  core::PullApplyResult apply_pull(const std::vector<core::RemoteLead>& leads,
                                   const core::PullPlanner& planner,
                                   const core::PullApplyOptions& options) override;
  core::RemoteDeleteResult apply_remote_deletes(const std::vector<std::string>& hubspot_ids,
                                                core::RemoteDeletePolicy policy, bool dry_run) override;
  std::vector<std::string> unseen_by_sweep(std::int64_t sweep_id, const std::optional<std::string>& after,
                                           std::size_t limit) override;
  void end_sweep(std::int64_t sweep_id) override;
  std::vector<std::string> synced_ids(const std::optional<std::string>& after, std::size_t limit) override;
  std::size_t settle_resolved_conflicts() override;
  std::vector<core::PushItem> claim_push(std::size_t max_leads, bool dry_run) override;
  void complete_push(const std::vector<core::PushOutcome>& outcomes) override;
  std::size_t requeue_failed() override;
  std::vector<core::InboxEvent> pending_events(std::size_t limit) override;
  void mark_events_applied(const std::vector<std::int64_t>& event_ids) override;
  std::size_t prune_events(core::WallTime before) override;
  std::optional<std::string> load_state(const std::string& key) override;
  void save_state(const std::string& key, const std::string& value) override;
  std::int64_t begin_run(const std::string& mode) override;
  void finish_run(std::int64_t run_id, const core::RunRecord& record) override;

  StoreStatus status(std::size_t last_runs = 5);
  // Closes the connection (the next call reopens it).
  void disconnect();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadsync::db
