#pragma once
// Data model of fake-hubspot: property definitions, the lead pipeline, association type ids, and the
// compact in-memory representation of leads (interned property indices, values in a ValuePool,
// history entries of 16 bytes, associations as a bitmask per associated record).
// Plain data; no locking (the Store is used under the App's mutex).
#include <boost/container/small_vector.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leadsync::fake_hubspot {

using PropIndex = std::uint16_t;
using ValueHandle = std::uint32_t;
using SourceIndex = std::uint16_t;

enum class PropType { string, number, date, datetime, enumeration, boolean, phone_number };
std::string_view prop_type_name(PropType t);
std::optional<PropType> parse_prop_type(std::string_view s);

struct PropOption {
  std::string label;
  std::string value;
  std::string description;
  int display_order = 0;
  bool hidden = false;
};

// What fills the value of an externalOptions enumeration.
enum class ExternalOptions { none, pipeline, pipeline_stage, owner };

// A property validation rule (property-validations API): stored and reported, not enforced on writes.
struct PropertyRule {
  std::vector<std::string> arguments;
  bool normalize = false;  // shouldApplyNormalization
};

struct PropertyDef {
  std::string name;
  std::string label;
  std::string description;
  std::string group_name;
  std::string field_type;
  PropType type = PropType::string;
  std::vector<PropOption> options;
  ExternalOptions external = ExternalOptions::none;
  std::string referenced_object_type;  // "OWNER" for hubspot_owner_id
  int display_order = -1;
  bool read_only_value = false;
  bool read_only_definition = false;
  bool hubspot_defined = false;
  bool has_unique_value = false;
  bool hidden = false;
  bool calculated = false;
  bool form_field = false;
  bool archivable = true;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
};

struct PipelineStage {
  std::string id;
  std::string label;
  int display_order = 0;
};

struct Pipeline {
  std::string id;
  std::string label;
  int display_order = 0;
  std::vector<PipelineStage> stages;
};

// Indices of the properties every object carries, fixed by the order of default_lead_properties().
inline constexpr PropIndex kPropObjectId = 0;
inline constexpr PropIndex kPropCreateDate = 1;
inline constexpr PropIndex kPropLastModified = 2;
inline constexpr PropIndex kFirstStoredProp = 3;  // lower indices are computed, never stored

std::vector<PropertyDef> default_lead_properties(std::int64_t created_ms);
std::vector<Pipeline> default_lead_pipelines();

// ---- association types ----------------------------------------------------------------------
enum class ObjKind : std::uint8_t { lead = 0, contact = 1, company = 2 };
// Object type names as they appear in paths: "leads", "0-136", "lead", ...
std::optional<ObjKind> parse_object_type(std::string_view s);
std::string_view object_type_id(ObjKind k);   // "0-136", "0-1", "0-2"
std::string_view object_plural(ObjKind k);    // "leads", "contacts", "companies"
std::string_view object_singular(ObjKind k);  // "lead", "contact", "company"

// Per lead<->other pair the kinds of association are a bitmask: primary, unlabeled, and one
// USER_DEFINED label per direction (as an admin would have defined in the portal's settings).
inline constexpr std::uint8_t kAssocPrimary = 1;
inline constexpr std::uint8_t kAssocUnlabeled = 2;
inline constexpr std::uint8_t kAssocCustom = 4;
// Every kind, in the order responses list them.
inline constexpr std::uint8_t kAssocKinds[] = {kAssocPrimary, kAssocUnlabeled, kAssocCustom};

struct AssocTypeInfo {
  int type_id;
  ObjKind from;
  ObjKind to;
  std::uint8_t bit;
  const char* label;    // nullptr = unlabeled (JSON null)
  const char* v3_name;  // "type" string of the v3 associations API
  const char* category = "HUBSPOT_DEFINED";
};
const std::vector<AssocTypeInfo>& association_types();
const AssocTypeInfo* find_association_type(ObjKind from, ObjKind to, int type_id);
const AssocTypeInfo* association_type_for_bit(ObjKind from, ObjKind to, std::uint8_t bit);
// v3 "type" string for any type id (a plausible lead_to_<object>_<id> for unknown ones).
std::string v3_association_name(ObjKind from, ObjKind to, int type_id);

// ---- values -----------------------------------------------------------------------------------
// Append-only string storage: each value is a length-prefixed byte run in a chunk; a handle indexes a
// pointer table. Enumeration-like values are de-duplicated. Handle 0 is the empty string.
class ValuePool {
 public:
  ValuePool();
  ValueHandle add(std::string_view v, bool dedup);
  std::string_view get(ValueHandle h) const {
    const char* p = refs_[h];
    std::uint32_t len;
    std::memcpy(&len, p, sizeof len);
    return {p + sizeof len, len};
  }
  std::size_t bytes() const { return chunk_bytes_ + refs_.capacity() * sizeof(const char*); }

 private:
  static constexpr std::size_t kChunk = 1 << 20;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = kChunk;  // in the last chunk
  std::size_t chunk_bytes_ = 0;
  std::vector<const char*> refs_;
  std::unordered_map<std::string_view, ValueHandle> dedup_;
};

struct Source {
  std::string type;  // INTEGRATION, CRM_UI, IMPORT, CALCULATED
  std::string id;    // app id, "userId:1", ...
  std::int64_t user_id = 0;
};

struct HistEntry {
  std::int64_t ts;
  ValueHandle value;
  PropIndex prop;
  SourceIndex source;
};
static_assert(sizeof(HistEntry) == 16);

struct LeadAssoc {
  std::uint64_t to_id;
  ObjKind kind;
  std::uint8_t bits;
};

struct Lead {
  std::uint64_t id = 0;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t archived_ms = 0;  // 0 = not archived
  // Chronological (oldest first); the current value of a property is its newest entry.
  boost::container::small_vector<HistEntry, 5> history;
  boost::container::small_vector<LeadAssoc, 2> assocs;

  bool archived() const { return archived_ms != 0; }
  const HistEntry* current(PropIndex p) const {
    for (auto it = history.rbegin(); it != history.rend(); ++it)
      if (it->prop == p) return &*it;
    return nullptr;
  }
  // Newest entry written at or before cutoff.
  const HistEntry* as_of(PropIndex p, std::int64_t cutoff) const {
    for (auto it = history.rbegin(); it != history.rend(); ++it)
      if (it->prop == p && it->ts <= cutoff) return &*it;
    return nullptr;
  }
  std::uint8_t assoc_bits(ObjKind kind, std::uint64_t to) const {
    for (const auto& a : assocs)
      if (a.kind == kind && a.to_id == to) return a.bits;
    return 0;
  }
  bool has_primary() const {
    for (const auto& a : assocs)
      if (a.bits & kAssocPrimary) return true;
    return false;
  }
};

// Contacts and companies exist only to be associated with; they keep a reverse index of leads.
struct CrmObject {
  std::uint64_t id = 0;
  ObjKind kind = ObjKind::contact;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<std::uint64_t> leads;  // leads associated with this record (any type)
};

}  // namespace leadsync::fake_hubspot
