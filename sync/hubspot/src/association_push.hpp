#pragma once
// Internal: pushing reconciled association sets to HubSpot with the batch association endpoints only.
//
// HubSpot's date-versioned APIs have no per-type PUT/DELETE: a label write on a pair REPLACES its labels and
// a pair DELETE removes every type. So each change is planned per (lead, record) pair:
//   - types to add: one batch/create input carrying the pair's current types (read first, so labels
//     leadsync does not map survive the replacement) plus the added ones;
//   - a removed type of a pair that stays wanted: batch/labels/archive of that type alone. The unlabeled
//     HubSpot-defined type is never sent: removing it removes the pair, labels included;
//   - a pair no longer wanted: if HubSpot has a label on it that leadsync does not map (one a person set),
//     only the mapped labels are archived and the pair stays; otherwise batch/archive of the pair.
// Every create is sent before any removal: HubSpot deletes a lead that loses its last primary association.
//
// The planning functions are pure (plan_reads, plan_writes); push_association_changes does the I/O.
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/error.hpp"
#include "leadsync/core/mapping.hpp"
#include "leadsync/core/net.hpp"
#include "leadsync/core/ports.hpp"
#include "leadsync/hubspot/client.hpp"

namespace leadsync::hubspot::detail {

// HubSpot-defined unlabeled lead association types: lead->contact 608, lead->company 610.
bool is_unlabeled_lead_association(const std::string& to_object_type, int type_id);

// Association type id -> category (HUBSPOT_DEFINED, USER_DEFINED, ...), per target object type.
using TypeCategories = std::map<std::string, std::map<int, std::string>>;

// What HubSpot has: target object type -> lead id -> associated records with their type ids.
using CurrentAssociations = std::map<std::string, std::map<std::string, std::vector<AssociatedObject>>>;

// One batch input and the change (index into the pushed changes) it belongs to.
struct PlannedInput {
  std::size_t change = 0;
  AssociationPairInput input;
};

// The calls for one target object type.
struct TypeWrites {
  std::vector<PlannedInput> create;          // batch/create
  std::vector<PlannedInput> archive_labels;  // batch/labels/archive
  std::vector<PlannedInput> archive_pairs;   // batch/archive (types unused)
};

struct WritePlan {
  std::map<std::string, TypeWrites> by_type;
  std::map<std::size_t, core::Error> failed;  // changes that cannot be sent, and why
  // Target types for which a type id had no known category: the caller may refresh the categories once.
  std::set<std::string> unknown_types;
};

// Changes whose lead or record ids are not HubSpot record ids (they would be sent in request bodies).
std::map<std::size_t, core::Error> invalid_changes(const std::vector<core::AssociationChange>& changes);

// Leads whose current associations of a target type must be read first: those adding a type to a pair
// (the create replaces the pair's labels) or dropping a pair (its unmapped labels must be known).
// `skip`: changes already failed.
std::map<std::string, std::vector<std::string>> plan_reads(
    const std::vector<core::AssociationChange>& changes, const std::set<std::size_t>& skip);

// Target object types the changes touch (their categories are needed).
std::set<std::string> touched_types(const std::vector<core::AssociationChange>& changes,
                                    const std::set<std::size_t>& skip);

// The batch inputs for the changes not in `skip`. `current` must hold every lead plan_reads asked for.
WritePlan plan_writes(const std::vector<core::AssociationChange>& changes, const core::SyncMapping& mapping,
                      const CurrentAssociations& current, const TypeCategories& categories,
                      const std::set<std::size_t>& skip);

// Sends the changes; one WriteResult per change, in order. A per-input batch error, or a failed call, fails
// the changes it concerns (record or transient error); a fatal error propagates. `categories` is a cache
// kept by the caller across pushes (filled from GET .../labels).
net::awaitable<std::vector<core::WriteResult>> push_association_changes(
    HubSpotClient& client, const core::SyncMapping& mapping, TypeCategories& categories,
    std::vector<core::AssociationChange> changes);

}  // namespace leadsync::hubspot::detail
