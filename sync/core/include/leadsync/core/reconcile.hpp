#pragma once
// Pure three-way reconciliation (docs/design.md#reconciliation). No I/O, no clocks, no globals: the same
// inputs always give the same plan, which is what makes the table-driven unit tests and --dry-run possible.
//
// plan_pull: HubSpot returned `remote`; given the local row and the base (last agreed state), decide per
//   mapped property and per association what to apply locally, what stays to be pushed, what conflicts,
//   and what the base becomes once the local part of the plan is committed.
// plan_push: a lead has pending local changes; decide the HubSpot write (create, update, archive or
//   nothing) from the local row against the base, and (base_after_push) what the base becomes once
//   HubSpot confirmed it.
// Thread-safe (pure).
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/lead.hpp"
#include "leadsync/core/mapping.hpp"

namespace leadsync::core {

enum class Side { local, remote };
const char* to_string(Side s) noexcept;

struct ConflictRecord {
  std::string property;
  Value base, local, remote;
  std::optional<WallTime> local_changed_at, remote_changed_at;
  ConflictPolicy policy = ConflictPolicy::newest_wins;
  std::optional<Side> winner;  // nullopt: manual policy, neither side touched
};

// ---- pull -------------------------------------------------------------------------------------------

struct PullContext {
  std::optional<BaseState> base;
  std::optional<LocalLead> local;     // the row with this hubspot_id (or, unlinked, with the same unique key)
  bool local_delete_pending = false;  // the row was deleted locally; the DELETE has not reached HubSpot yet
  // The row with this lead's unique key was deleted locally and its DELETE already reached HubSpot: this lead
  // is a late copy of that row's create (the row's id).
  std::optional<std::int64_t> deleted_row;
  std::set<std::string> open_manual_conflicts;     // properties with an unresolved manual conflict
  std::map<std::string, Side> manual_resolutions;  // operator's choice for some of those (conflicts.resolve)
};

enum class PullAction {
  none,          // nothing to write locally (in sync, echo, or only pushes pending)
  create_local,  // insert a new row (a lead created in HubSpot)
  update_local,  // write values/associations/flags into the existing row
  skip,          // do not touch this lead now (see skip and skip_reason)
};
const char* to_string(PullAction a) noexcept;

// Why a lead is skipped (PullAction::skip). Decisions read this, never skip_reason's text.
enum class SkipReason {
  none,                              // not skipped, or skipped by the store (its reason is in skip_reason)
  archived_in_hubspot,               // handled as a remote delete
  local_delete_pending,              // deleted locally; the DELETE has not reached HubSpot yet
  late_copy_of_deleted_row,          // delete_remote_copy_of: a DELETE of it is queued
  older_than_base,                   // HubSpot's search index lags behind its writes
  row_missing_without_delete,        // synced before, row gone, no delete captured (capture bypassed)
  local_archive_pending,             // archived locally; the archive has not reached HubSpot yet
  archived_before_create_confirmed,  // the push deletes the unconfirmed copy in HubSpot
};
const char* to_string(SkipReason r) noexcept;

struct PullPlan {
  PullAction action = PullAction::none;
  std::string hubspot_id;
  std::optional<std::int64_t> row_id;
  bool link_row = false;             // store hubspot_id on the row (found by unique key)
  std::optional<bool> set_archived;  // restore a locally archived row (lead restored in HubSpot)
  PropertyValues local_updates;      // property -> value to write into the row
  AssociationSet local_assoc_add, local_assoc_remove;
  std::vector<std::string> push_properties;  // properties whose local value must still reach HubSpot
  bool push_associations = false;            // local association changes must still reach HubSpot
  bool enqueue_push = false;  // the push needs an outbox entry (no pending local change would trigger it)
  // A late copy of a lead deleted locally (PullContext::deleted_row): not imported; a DELETE of it is queued
  // under the deleted row's id.
  std::optional<std::int64_t> delete_remote_copy_of;
  std::vector<ConflictRecord> conflicts;
  std::vector<std::string> resolved_conflicts;  // open manual conflicts settled by this plan
  BaseState new_base;
  // Properties whose HubSpot value is a late arrival of leadsync's own superseded write
  // (BaseState::superseded): recorded as the base (HubSpot holds it), the row's value is pushed again.
  std::vector<std::string> stale_own_writes;
  // HubSpot's value of a property is one leadsync may have sent in a superseded push, and this read had no
  // property history to tell who wrote it: read the lead with propertiesWithHistory and plan it again.
  bool needs_history = false;
  bool echo = false;  // HubSpot reported the lead as modified (not older than the base) but nothing leadsync
                      // syncs differs: our own write coming back, or a change to an unmapped property
  SkipReason skip = SkipReason::none;
  std::string skip_reason;  // for people: logs, --dry-run

  bool writes_locally() const {
    return action == PullAction::create_local || action == PullAction::update_local;
  }
};

PullPlan plan_pull(const SyncMapping& mapping, const SyncPolicy& policy, const RemoteLead& remote,
                   const PullContext& context);

// ---- push -------------------------------------------------------------------------------------------

struct PushContext {
  std::optional<LocalLead> local;  // nullopt: the row was deleted locally
  std::optional<BaseState> base;
  std::optional<std::string> deleted_hubspot_id;  // hubspot_id recorded with a DELETE change
  std::set<std::string> blocked_properties;       // unresolved manual conflicts: never pushed
};

enum class PushAction { none, create, update, archive };
const char* to_string(PushAction a) noexcept;

struct PushPlan {
  PushAction action = PushAction::none;
  std::string hubspot_id;     // update/archive
  PropertyValues properties;  // values to send; nullopt sends "" (clears the property)
  AssociationSet assoc_add;   // create: every association, sent inline
  AssociationSet assoc_remove;
  std::string failure;  // not pushable as it stands (e.g. no primary association): mark FAILED
  std::string reason;   // why action is none, for logs and --dry-run
};

PushPlan plan_push(const SyncMapping& mapping, const PushContext& context);

// How long after a confirmed push leadsync still expects a superseded, unconfirmed request of its own to land
// in HubSpot (far longer than any request timeout; HubSpot may queue a request it accepted).
inline constexpr std::chrono::hours kSupersededWriteHorizon{1};

// Records in `base` (the base after a confirmed push) the values an earlier request for the same lead may
// have sent without a confirmation (`maybe_sent`: PushItem::maybe_sent, or an unanswered attempt of this
// push), until now + kSupersededWriteHorizon, also those the base holds now (a late request would set them
// over the next push); drops what an earlier push recorded once its horizon passed.
void remember_superseded_writes(BaseState& base, const std::map<std::string, std::set<Value>>& maybe_sent,
                                WallTime now);

// The base once HubSpot confirmed `plan` for lead `hubspot_id` at `remote_updated_at`.
BaseState base_after_push(const PushPlan& plan, const std::optional<BaseState>& old_base,
                          const std::string& hubspot_id, std::optional<WallTime> remote_updated_at);

}  // namespace leadsync::core
