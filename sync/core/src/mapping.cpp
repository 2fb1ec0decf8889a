#include "leadsync/core/mapping.hpp"

namespace leadsync::core {

const char* to_string(PropertyType t) noexcept {
  switch (t) {
    case PropertyType::string:
      return "string";
    case PropertyType::number:
      return "number";
    case PropertyType::boolean:
      return "bool";
    case PropertyType::date:
      return "date";
    case PropertyType::datetime:
      return "datetime";
    case PropertyType::enumeration:
      return "enumeration";
  }
  return "unknown";
}

const char* to_string(Direction d) noexcept {
  switch (d) {
    case Direction::both:
      return "both";
    case Direction::pull:
      return "pull";
    case Direction::push:
      return "push";
  }
  return "unknown";
}

const char* to_string(ConflictPolicy p) noexcept {
  switch (p) {
    case ConflictPolicy::remote_wins:
      return "remote_wins";
    case ConflictPolicy::local_wins:
      return "local_wins";
    case ConflictPolicy::newest_wins:
      return "newest_wins";
    case ConflictPolicy::manual:
      return "manual";
  }
  return "unknown";
}

const char* to_string(RemoteDeletePolicy p) noexcept {
  switch (p) {
    case RemoteDeletePolicy::archive:
      return "archive";
    case RemoteDeletePolicy::remove:
      return "delete";
  }
  return "unknown";
}

std::optional<PropertyType> parse_property_type(std::string_view s) noexcept {
  for (auto t : {PropertyType::string, PropertyType::number, PropertyType::boolean, PropertyType::date,
                 PropertyType::datetime, PropertyType::enumeration})
    if (s == to_string(t)) return t;
  return std::nullopt;
}

std::optional<Direction> parse_direction(std::string_view s) noexcept {
  for (auto d : {Direction::both, Direction::pull, Direction::push})
    if (s == to_string(d)) return d;
  return std::nullopt;
}

std::optional<ConflictPolicy> parse_conflict_policy(std::string_view s) noexcept {
  for (auto p : {ConflictPolicy::remote_wins, ConflictPolicy::local_wins, ConflictPolicy::newest_wins,
                 ConflictPolicy::manual})
    if (s == to_string(p)) return p;
  return std::nullopt;
}

std::optional<RemoteDeletePolicy> parse_remote_delete_policy(std::string_view s) noexcept {
  for (auto p : {RemoteDeletePolicy::archive, RemoteDeletePolicy::remove})
    if (s == to_string(p)) return p;
  return std::nullopt;
}

bool is_primary_lead_association(int type_id) noexcept {
  return type_id == kLeadToPrimaryContact || type_id == kLeadToPrimaryCompany;
}

const PropertyMapping* SyncMapping::find_property(std::string_view property) const noexcept {
  for (const auto& p : properties)
    if (p.property == property) return &p;
  return nullptr;
}

const PropertyMapping* SyncMapping::find_column(std::string_view column) const noexcept {
  for (const auto& p : properties)
    if (p.column == column) return &p;
  return nullptr;
}

}  // namespace leadsync::core
