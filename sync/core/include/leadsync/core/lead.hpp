#pragma once
// The three views of one lead that reconciliation compares:
//   RemoteLead - what HubSpot returned (values normalised by mapping type)
//   LocalLead  - the row in the mapped PostgreSQL table (+ its association rows and pending local changes)
//   BaseState  - the last state both sides agreed on (leadsync.base)
// Values are keyed by HubSpot property name everywhere in the core; the store maps them to columns.
// Plain values; thread-compatible.
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/values.hpp"

namespace leadsync::core {

struct AssociationKey {
  std::string to_object_type;  // plural HubSpot name: contacts, companies
  std::string to_object_id;
  int type_id = 0;
  auto operator<=>(const AssociationKey&) const = default;
};
using AssociationSet = std::set<AssociationKey>;

std::string to_string(const AssociationKey& a);  // "contacts/101 (578)"

// One entry of a property's history in HubSpot (propertiesWithHistory).
struct PropertyChange {
  Value value;
  std::optional<WallTime> at;
  std::string source_type;  // INTEGRATION (an app's API write), CRM_UI, IMPORT, ...
  std::string source_id;    // INTEGRATION: the app's id; CRM_UI: userId:<n>
};

struct RemoteLead {
  std::string id;
  PropertyValues values;                       // only the properties HubSpot returned
  std::map<std::string, WallTime> changed_at;  // per property, from propertiesWithHistory when fetched
  std::map<std::string, std::vector<PropertyChange>> history;  // newest first; only when fetched with history
  std::optional<WallTime> updated_at;                          // hs_lastmodifieddate
  bool archived = false;
  std::optional<AssociationSet> associations;  // nullopt: this fetch did not include associations
  std::optional<std::string> unique_key;       // value of hubspot.unique_key_property, when configured
};

struct LocalLead {
  std::int64_t row_id = 0;
  std::optional<std::string> hubspot_id;
  std::string sync_key;
  PropertyValues values;  // every mapped property (no value = nullopt)
  bool archived = false;
  AssociationSet associations;
  // Per property: when the latest local change not yet confirmed by HubSpot was made (from the outbox).
  std::map<std::string, WallTime> changed_at;
  bool associations_changed = false;  // association rows changed locally and not yet pushed
};

struct BaseState {
  std::string hubspot_id;
  PropertyValues values;  // properties missing here were never synced (e.g. newly mapped)
  std::map<std::string, WallTime> changed_at;  // HubSpot timestamps of the base values, when known
  std::optional<AssociationSet> associations;  // nullopt: associations never synced
  std::optional<WallTime> remote_updated_at;
  // Per property: values an earlier push may have sent without leadsync learning the outcome (the run was
  // killed, the request timed out), since superseded by a confirmed push. Such a request can still reach
  // HubSpot afterwards and set the older value again; a pull that meets one of these values, written by an
  // integration, up to `superseded_until`, knows it for leadsync's own stale write (plan_pull).
  std::map<std::string, std::set<Value>> superseded;
  std::optional<WallTime> superseded_until;
};

// Keeps only the associations whose object type and type id the mapping syncs.
AssociationSet filter_mapped(const SyncMapping& mapping, const AssociationSet& set);
bool has_primary_association(const AssociationSet& set);

}  // namespace leadsync::core
