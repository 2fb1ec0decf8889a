#pragma once
// Webhook events as the engine applies them, and the pure plan of what they cost to apply.
//
// The receiver stores HubSpot's `object.*` events for leads in the inbox (db/); the store hands them to the
// engine as InboxEvent, already decoded and joined with what leadsync knows of the lead (its base). An event
// is only a hint that a lead changed: the engine reads the lead's current state and reconciles it like a
// polled one, so the order of events and their duplicates do not matter. plan_events decides which reads
// a batch of events needs, and which events need none:
//   - a property change of a property the mapping does not pull;
//   - a property change whose value equals the lead's base value (leadsync's own push coming back, or a
//     change a poll already applied): reading the lead would find nothing new;
//   - the creation of a lead leadsync already knows (its own create: the base exists);
//   - the deletion of a lead leadsync has no base for (its own archive coming back, or never synced).
// Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "leadsync/core/mapping.hpp"

namespace leadsync::core {

enum class EventKind { creation, property_change, deletion, merge, restore, association_change, other };
const char* to_string(EventKind k) noexcept;
// "object.propertyChange" -> property_change; anything else -> other.
EventKind parse_event_kind(std::string_view subscription_type) noexcept;

struct InboxEvent {
  std::int64_t event_id = 0;
  EventKind kind = EventKind::other;
  std::string object_id;  // the lead (for a merge: the lead that remains)
  // property_change: the property and its new value as HubSpot sent it ("" when cleared)
  std::string property;
  std::optional<std::string> value;
  std::vector<std::string> merged_ids;  // merge: the leads merged into object_id (gone from now on)
  bool known = false;                   // leadsync has a base for object_id
  // property_change on a known lead whose base holds the property: the base's (normalised) value, which
  // may itself be "no value". nullopt: the base does not hold the property.
  std::optional<std::optional<std::string>> base_value;
};

struct EventPlan {
  std::set<std::string> read;          // leads to read (properties) and reconcile
  std::set<std::string> associations;  // leads whose associations to read
  std::set<std::string> merged_away;   // leads merged into another: confirm gone, then per on_remote_delete
  std::size_t needless = 0;            // events that need no read (see above)
};

EventPlan plan_events(const SyncMapping& mapping, const std::vector<InboxEvent>& events);

}  // namespace leadsync::core
