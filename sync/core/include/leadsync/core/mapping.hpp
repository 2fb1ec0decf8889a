#pragma once
// What to sync: the mapping between HubSpot lead properties and PostgreSQL columns, the association
// types to keep, and the policies. Built by daemon/ from the YAML (config/ never reaches sync/).
// Plain values; no validation here beyond the helpers below (config/ validates YAML input).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::core {

enum class PropertyType { string, number, boolean, date, datetime, enumeration };
enum class Direction { both, pull, push };
enum class ConflictPolicy { remote_wins, local_wins, newest_wins, manual };
enum class RemoteDeletePolicy { archive, remove };

const char* to_string(PropertyType t) noexcept;
const char* to_string(Direction d) noexcept;
const char* to_string(ConflictPolicy p) noexcept;
const char* to_string(RemoteDeletePolicy p) noexcept;
std::optional<PropertyType> parse_property_type(std::string_view s) noexcept;  // "bool" -> boolean
std::optional<Direction> parse_direction(std::string_view s) noexcept;
std::optional<ConflictPolicy> parse_conflict_policy(std::string_view s) noexcept;
std::optional<RemoteDeletePolicy> parse_remote_delete_policy(
    std::string_view s) noexcept;  // "delete" -> remove

struct PropertyMapping {
  std::string property;  // HubSpot internal name, e.g. hs_lead_name
  std::string column;    // PostgreSQL column (a validated, safe identifier)
  PropertyType type = PropertyType::string;
  Direction direction = Direction::both;

  bool pulls() const noexcept { return direction != Direction::push; }
  bool pushes() const noexcept { return direction != Direction::pull; }
};

struct AssociationMapping {
  std::string to_object_type;  // plural HubSpot name: contacts, companies, deals, ...
  std::vector<int> type_ids;   // association type ids to keep, e.g. {578, 608}
};

// Primary association type ids for leads (HubSpot requires one at create; removing the last one deletes
// the lead). See docs/hubspot-api.md#association-type-ids.
inline constexpr int kLeadToPrimaryContact = 578;
inline constexpr int kLeadToPrimaryCompany = 580;
bool is_primary_lead_association(int type_id) noexcept;

struct SyncMapping {
  std::string schema = "public";
  std::string table = "hubspot_leads";
  std::vector<PropertyMapping> properties;
  std::vector<AssociationMapping> associations;
  // Optional HubSpot property with hasUniqueValue that holds the row's sync_key: makes creates idempotent.
  std::optional<std::string> unique_key_property;

  const PropertyMapping* find_property(std::string_view property) const noexcept;
  const PropertyMapping* find_column(std::string_view column) const noexcept;
  // "schema.table", for messages and as the scope key in leadsync.* bookkeeping tables.
  std::string qualified_table() const { return schema + "." + table; }
};

struct SyncPolicy {
  ConflictPolicy conflict_policy = ConflictPolicy::newest_wins;
  RemoteDeletePolicy on_remote_delete = RemoteDeletePolicy::archive;
};

}  // namespace leadsync::core
