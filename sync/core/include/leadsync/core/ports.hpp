#pragma once
// The engine's two ports. sync/core defines them; db/ implements LeadStore with PostgreSQL and
// sync/hubspot implements LeadsRemote with the HubSpot client. Both speak the core's types only.
//
// LeadStore is BLOCKING: the engine calls it on a dedicated executor (one thread), each call is one
// transaction, and no transaction is held across a co_await. Errors: core::Error (transient for lost
// connections and serialization failures, fatal for a missing schema or an in-doubt commit).
// LeadsRemote is asynchronous and runs on the network executor. Errors: core::Error as classified by the
// HubSpot client; per-record failures come back as values (WriteResult), not exceptions.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/api_activity.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/core/events.hpp"
#include "leadsync/core/lead.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/core/reconcile.hpp"

namespace leadsync::core {

// ---- store ------------------------------------------------------------------------------------------

using PullPlanner = std::function<PullPlan(const RemoteLead&, const PullContext&)>;

struct PullApplyOptions {
  bool dry_run = false;                  // plan and report, then roll back
  std::optional<std::int64_t> sweep_id;  // record the leads as seen by this full sweep
  // A sync_state key and value written in the page's transaction (its first, when the page is written in
  // parts): a full sweep records there that every page before this one is applied (its cursor), instead of
  // a transaction of its own after each page (a tenth of an import's time).
  std::optional<std::pair<std::string, std::string>> save_state;
  // When set, a plan for which it returns true needs more from HubSpot before it can be trusted (newest_wins
  // on a conflicting lead read without per-property timestamps): the transaction holding that lead then
  // writes nothing, and the result lists what was deferred. The engine reads the history of those leads and
  // applies the deferred ones again. Conflicts are rare, so this costs nothing on the common path (a
  // read-only pre-pass over every page cost a tenth of an import).
  std::function<bool(const RemoteLead&, const PullPlan&)> needs_more;
};

struct PullApplyResult {
  std::vector<PullPlan> plans;  // the plans written (or, dry run, planned), in input order
  // Leads whose local write was refused (a value that does not fit its column, an operator's constraint
  // or trigger): hubspot id -> reason. The rest of the page is applied; a full sweep tries them again.
  std::vector<std::pair<std::string, std::string>> failed;
  // Indexes into the input of the leads not written because needs_more held for some of them (listed in
  // needs_more_ids); they are to be applied again.
  std::vector<std::size_t> deferred;
  std::vector<std::string> needs_more_ids;
};

struct RemoteDeleteResult {
  std::size_t archived_local = 0;     // rows set archived = true
  std::size_t deleted_local = 0;      // rows deleted
  std::size_t ignored_changes = 0;    // pending local changes dropped because the lead is gone in HubSpot
  std::vector<std::string> affected;  // hubspot ids whose row changed (for --dry-run and logs)
};

struct PushItem {
  std::int64_t lead_id = 0;
  std::vector<std::int64_t> change_ids;  // the outbox rows claimed for this lead
  PushContext context;
  std::string sync_key;   // the row's sync_key (also for deleted rows, when known)
  int attempts = 0;       // attempts including this one
  bool in_doubt = false;  // an earlier attempt may have reached HubSpot
  // in_doubt: per property, the values that attempt may have sent (the outbox rows it claimed)
  std::map<std::string, std::set<Value>> maybe_sent;
  std::optional<WallTime> first_change_at;
};

enum class PushStatus {
  success,  // HubSpot confirmed: store hubspot_id/base, changes SUCCESS
  failed,   // permanent for this record: changes FAILED, sync_error on the row
  retry,    // transient: changes back to PENDING until next_attempt_at
  merged,   // nothing to send (the row matches the base): changes MERGED
  ignored,  // nothing to send ever (e.g. deleted before it was created): changes IGNORED
};
const char* to_string(PushStatus s) noexcept;

struct PushOutcome {
  std::int64_t lead_id = 0;
  std::vector<std::int64_t> change_ids;
  PushStatus status = PushStatus::retry;
  PushAction action = PushAction::none;
  std::optional<std::string> hubspot_id;       // success of a create (or link of an in-doubt create)
  std::optional<BaseState> new_base;           // success of create/update; archive removes the base
  std::vector<std::string> pushed_properties;  // resolves open manual conflicts on these
  std::string error;                           // failed/retry: HubSpot's message (never a secret)
  ErrorDetails details;                        // status, category, correlation id
  std::optional<WallTime> next_attempt_at;     // retry
};

struct RunCounts {
  std::int64_t pulled = 0, pushed = 0, created_remote = 0, created_local = 0, updated_local = 0,
               updated_remote = 0, deleted_local = 0, deleted_remote = 0, conflicts = 0, failed = 0,
               echoes_suppressed = 0, api_calls = 0, skipped = 0;
  ApiCallsByActivity api_calls_by_activity{};  // api_calls split by what they were for; sums to api_calls
  RunCounts& operator+=(const RunCounts& o);
};

struct RunRecord {
  std::string mode;    // incremental | full | push
  std::string status;  // success | partial | failed | cancelled
  WallTime started_at{}, finished_at{};
  RunCounts counts;
  std::string error;
};

class LeadStore {
 public:
  virtual ~LeadStore() = default;

  // ONE transaction: lock and load each lead's context (by hubspot_id, or an unlinked row with the same
  // unique key), plan it with `planner`, write the plan (row, associations, base, conflicts, enqueued
  // pushes) with leadsync.origin = 'sync' so the capture triggers ignore it. A store may split a big page
  // into parts written concurrently, one transaction each (`planner` must then be callable from several
  // threads); if any part fails the call throws, and applying the same page again must be harmless.
  virtual PullApplyResult apply_pull(const std::vector<RemoteLead>& leads, const PullPlanner& planner,
                                     const PullApplyOptions& options) = 0;
  // Leads gone from HubSpot: archive or delete the rows per policy, drop their base, IGNORE their pending
  // local changes (a delete is never undone by an older local edit).
  virtual RemoteDeleteResult apply_remote_deletes(const std::vector<std::string>& hubspot_ids,
                                                  RemoteDeletePolicy policy, bool dry_run) = 0;
  // Synced leads (present in the base, not archived) that full sweep `sweep_id` did not see, ordered by
  // hubspot_id, after `after`.
  virtual std::vector<std::string> unseen_by_sweep(std::int64_t sweep_id,
                                                   const std::optional<std::string>& after,
                                                   std::size_t limit) = 0;
  virtual void end_sweep(std::int64_t sweep_id) = 0;
  // Synced lead ids in hubspot_id order after `after` (for the association sweep).
  virtual std::vector<std::string> synced_ids(const std::optional<std::string>& after, std::size_t limit) = 0;

  // Settles manual conflicts an operator resolved (conflicts.resolve): 'remote' writes the remote value
  // into the row and the base; 'local' enqueues a push. Returns how many were settled.
  virtual std::size_t settle_resolved_conflicts() = 0;
  // Claims up to `max_leads` leads with due changes (NEW, or PENDING past next_attempt_at), coalesced per
  // lead; marks them PENDING with attempts + 1 and COMMITS before returning, so that after a crash the next
  // claim knows an attempt may have reached HubSpot (in_doubt). dry_run: nothing is marked.
  virtual std::vector<PushItem> claim_push(std::size_t max_leads, bool dry_run) = 0;
  virtual void complete_push(const std::vector<PushOutcome>& outcomes) = 0;
  // FAILED changes -> NEW (attempts reset). Returns how many.
  virtual std::size_t requeue_failed() = 0;

  // Webhook events the receiver stored and the engine has not applied yet, oldest first, at most `limit`
  // (an empty inbox: none). Events of other object types are returned as EventKind::other.
  virtual std::vector<InboxEvent> pending_events(std::size_t limit) = 0;
  // Marks these events applied (they are not returned again).
  virtual void mark_events_applied(const std::vector<std::int64_t>& event_ids) = 0;
  // Deletes the events applied before `before`. Returns how many.
  virtual std::size_t prune_events(WallTime before) = 0;

  virtual std::optional<std::string> load_state(const std::string& key) = 0;
  virtual void save_state(const std::string& key, const std::string& value) = 0;
  virtual std::int64_t begin_run(const std::string& mode) = 0;
  virtual void finish_run(std::int64_t run_id, const RunRecord& record) = 0;
};

// ---- remote -----------------------------------------------------------------------------------------

struct RemotePage {
  std::vector<RemoteLead> leads;
  std::optional<std::string> next_cursor;  // nullopt: last page
};

struct RemoteReadResult {
  std::vector<RemoteLead> found;
  std::vector<std::string> missing;  // not found (deleted, or never existed)
};

struct CreateRequest {
  std::string ref;  // the row's sync_key: objectWriteTraceId and unique key value
  PropertyValues properties;
  AssociationSet associations;  // sent inline (must include a primary one)
};

struct UpdateRequest {
  std::string hubspot_id;
  PropertyValues properties;
};

struct AssociationChange {
  std::string hubspot_id;
  AssociationSet add;  // sent before removals so a lead never loses its last primary association in between
  AssociationSet remove;
  // The lead's mapped associations once the change is done. A removed record with no type left here is
  // dissociated entirely (HubSpot keeps an unlabeled association beside every labeled one).
  AssociationSet desired;
};

struct WriteResult {
  std::string ref;  // CreateRequest::ref, or the hubspot id for other writes
  bool ok = false;
  std::optional<RemoteLead> lead;  // create/update: what HubSpot returned (id, updated_at, values)
  std::optional<Error> error;      // !ok: the per-record error (kind record or transient)
  // ok, but an earlier attempt of the same request went unanswered: HubSpot may apply it later still, over
  // whatever is pushed next (the engine remembers its values, BaseState::superseded).
  bool unconfirmed_attempt = false;
};

class LeadsRemote {
 public:
  virtual ~LeadsRemote() = default;

  // One page of the full list (mapped properties + associations), or of the archived list.
  virtual net::awaitable<RemotePage> list_page(std::optional<std::string> cursor, bool archived) = 0;
  // Approximate number of (non-archived) leads, for progress and ETA; nullopt when unknown.
  virtual net::awaitable<std::optional<std::int64_t>> count_leads() = 0;
  // Leads whose hs_lastmodifieddate is in [from, to], page by page (windowed past the search cap).
  virtual net::awaitable<void> search_modified(
      WallTime from, WallTime to, std::function<net::awaitable<void>(std::vector<RemoteLead>)> on_page) = 0;
  // Batch read by id; with_history fills RemoteLead::changed_at from propertiesWithHistory.
  virtual net::awaitable<RemoteReadResult> read(std::vector<std::string> ids, bool with_history) = 0;
  // Batch read by the unique key property (for creates whose outcome is in doubt).
  virtual net::awaitable<std::vector<RemoteLead>> find_by_unique_key(std::vector<std::string> keys) = 0;
  // Association sets of the mapped object types for these leads (v4 batch read). A lead absent from the
  // map has no associations of any mapped type (or no longer exists).
  virtual net::awaitable<std::map<std::string, AssociationSet>> read_associations(
      std::vector<std::string> ids) = 0;

  virtual net::awaitable<std::vector<WriteResult>> create(std::vector<CreateRequest> requests) = 0;
  virtual net::awaitable<std::vector<WriteResult>> update(std::vector<UpdateRequest> requests) = 0;
  virtual net::awaitable<std::vector<WriteResult>> archive(std::vector<std::string> hubspot_ids) = 0;
  virtual net::awaitable<std::vector<WriteResult>> change_associations(
      std::vector<AssociationChange> changes) = 0;

  // HTTP calls made so far (for leadsync.runs.api_calls and the benchmarks).
  virtual std::uint64_t api_calls() const = 0;
  // Leads left out so far because their id is not a HubSpot record id (digits only): a lead HubSpot sent
  // with such an id, or a table id not sent to HubSpot to be read (CycleReport::skipped_bad_id).
  virtual std::uint64_t leads_skipped_bad_id() const { return 0; }
  // The priority of the calls made from now on (the engine sets it with each activity); a remote without a
  // rate limit of its own may ignore it.
  virtual void set_priority(CallPriority) {}
};

}  // namespace leadsync::core
