#include "leadsync/core/events.hpp"

#include "leadsync/core/values.hpp"

namespace leadsync::core {

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::creation:
      return "object.creation";
    case EventKind::property_change:
      return "object.propertyChange";
    case EventKind::deletion:
      return "object.deletion";
    case EventKind::merge:
      return "object.merge";
    case EventKind::restore:
      return "object.restore";
    case EventKind::association_change:
      return "object.associationChange";
    case EventKind::other:
      return "other";
  }
  return "other";
}

EventKind parse_event_kind(std::string_view s) noexcept {
  for (auto k : {EventKind::creation, EventKind::property_change, EventKind::deletion, EventKind::merge,
                 EventKind::restore, EventKind::association_change})
    if (s == to_string(k)) return k;
  return EventKind::other;
}

namespace {

// A property change that reading the lead would not turn into anything new.
bool needless_property_change(const SyncMapping& mapping, const InboxEvent& e) {
  const PropertyMapping* p = mapping.find_property(e.property);
  if (!p || !p->pulls()) return true;
  if (!e.base_value) return false;
  const Value incoming = normalize_value(
      p->type, e.value ? std::optional<std::string_view>(*e.value) : std::optional<std::string_view>());
  return incoming == *e.base_value;
}

}  // namespace

EventPlan plan_events(const SyncMapping& mapping, const std::vector<InboxEvent>& events) {
  EventPlan plan;
  for (const auto& e : events) {
    switch (e.kind) {
      case EventKind::property_change:
        if (needless_property_change(mapping, e))
          ++plan.needless;
        else
          plan.read.insert(e.object_id);
        break;
      case EventKind::creation:
        // leadsync's own create (the base exists) or one whose properties arrive as property changes
        // anyway; an unknown lead is read so that a lead created without any mapped property still
        // gets its row.
        if (e.known)
          ++plan.needless;
        else
          plan.read.insert(e.object_id);
        break;
      case EventKind::deletion:
        // Confirmed by the read: a lead the read does not find is gone. A lead leadsync has no base for has
        // nothing to delete locally (leadsync's own archive coming back, or a lead never synced).
        if (e.known)
          plan.read.insert(e.object_id);
        else
          ++plan.needless;
        break;
      case EventKind::restore:
        plan.read.insert(e.object_id);
        break;
      case EventKind::merge:
        plan.read.insert(e.object_id);
        for (const auto& id : e.merged_ids)
          if (id != e.object_id) plan.merged_away.insert(id);
        break;
      case EventKind::association_change:
        if (mapping.associations.empty())
          ++plan.needless;
        else
          plan.associations.insert(e.object_id);
        break;
      case EventKind::other:
        ++plan.needless;
        break;
    }
  }
  return plan;
}

}  // namespace leadsync::core
