#pragma once
// MemoryStore: an in-memory LeadStore for the engine's unit tests. It keeps the mapped table's rows, the
// base, a coalesced outbox and sync_state in plain maps, and follows the port's contract as PgStore does
// (one "transaction" per call, PENDING claims make the next claim in doubt, refused writes listed in
// PullApplyResult::failed). It is not PostgreSQL: no capture triggers (tests enqueue local changes through
// the helpers below), no conflicts table, no run history beyond the last RunRecord. Not thread-safe; the
// engine calls it on one executor.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/ports.hpp"

namespace leadsync::testing {

class MemoryStore final : public core::LeadStore {
 public:
  struct Pending {  // one lead's open outbox rows, coalesced
    std::vector<std::int64_t> change_ids;
    bool pending = false;  // an attempt was started (PENDING), else NEW
    int attempts = 0;
    std::optional<core::WallTime> next_attempt_at;
    std::optional<std::string> deleted_hubspot_id;  // the row was deleted with this hubspot_id
    std::string deleted_sync_key;
    // What a started attempt may have sent (PgStore: the values its claimed rows captured).
    std::map<std::string, std::set<core::Value>> claimed_values;
  };
  struct Closed {  // how the last push of a lead ended
    core::PushStatus status;
    std::string error;
  };

  explicit MemoryStore(const core::Clock& clock) : clock_(clock) {}

  // ---- the local side, as an application would change it (with the capture a trigger would do) ----
  std::int64_t insert_row(core::PropertyValues values, core::AssociationSet associations = {});
  void edit_row(std::int64_t row_id, const std::string& property, core::Value value);
  void delete_row(std::int64_t row_id);
  // The next apply_pull refuses to write this lead (as PostgreSQL refuses a value too long for its column).
  void refuse_pull_of(const std::string& hubspot_id, std::string reason) {
    refused_[hubspot_id] = std::move(reason);
  }
  const core::LocalLead* row_by_hubspot_id(const std::string& hubspot_id) const;

  std::map<std::int64_t, core::LocalLead> rows;
  std::map<std::int64_t, core::BaseState> base;  // by row id (lead_id)
  std::map<std::int64_t, Pending> outbox;        // by row id
  std::map<std::int64_t, Closed> closed;         // by row id: the last outcome that closed its changes
  std::map<std::string, std::string> state;
  std::vector<core::PushOutcome> outcomes;  // every outcome recorded, in order
  std::optional<core::RunRecord> last_run;
  // The webhook inbox: events as the receiver stored them (known/base_value are filled in when handed out,
  // as PgStore joins them with the base), and when each was applied.
  std::vector<core::InboxEvent> inbox;
  std::map<std::int64_t, core::WallTime> applied_events;
  int apply_pull_calls = 0;

  // ---- LeadStore ----
  core::PullApplyResult apply_pull(const std::vector<core::RemoteLead>& leads,
                                   const core::PullPlanner& planner,
                                   const core::PullApplyOptions& options) override;
  core::RemoteDeleteResult apply_remote_deletes(const std::vector<std::string>& hubspot_ids,
                                                core::RemoteDeletePolicy policy, bool dry_run) override;
  std::vector<std::string> unseen_by_sweep(std::int64_t sweep_id, const std::optional<std::string>& after,
                                           std::size_t limit) override;
  void end_sweep(std::int64_t sweep_id) override { seen_.erase(sweep_id); }
  std::vector<std::string> synced_ids(const std::optional<std::string>& after, std::size_t limit) override;
  std::size_t settle_resolved_conflicts() override { return 0; }
  std::vector<core::PushItem> claim_push(std::size_t max_leads, bool dry_run) override;
  void complete_push(const std::vector<core::PushOutcome>& outcomes) override;
  std::size_t requeue_failed() override;
  std::vector<core::InboxEvent> pending_events(std::size_t limit) override;
  void mark_events_applied(const std::vector<std::int64_t>& event_ids) override;
  std::size_t prune_events(core::WallTime before) override;
  std::optional<std::string> load_state(const std::string& key) override;
  void save_state(const std::string& key, const std::string& value) override { state[key] = value; }
  std::int64_t begin_run(const std::string&) override { return ++runs_; }
  void finish_run(std::int64_t, const core::RunRecord& record) override { last_run = record; }

 private:
  void enqueue(std::int64_t row_id);
  std::optional<std::int64_t> find_row(const core::RemoteLead& lead) const;
  void write_plan(const core::RemoteLead& lead, const core::PullPlan& plan);

  const core::Clock& clock_;
  std::int64_t next_row_ = 1, next_change_ = 1, runs_ = 0;
  std::map<std::string, std::string> refused_;
  std::map<std::int64_t, std::set<std::string>> seen_;  // sweep id -> hubspot ids seen
};

}  // namespace leadsync::testing
