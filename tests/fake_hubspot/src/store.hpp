#pragma once
// Store: the portal's state (property schema, pipelines, leads, contacts, companies, associations,
// unique-value indexes) and the rules HubSpot applies when it changes (validation of property
// values, primary-association exclusivity, archiving a lead that loses its last primary association).
// Not thread-safe: the App serialises every call under its mutex. Throws only std::bad_alloc.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model.hpp"

namespace leadsync::fake_hubspot {

struct PropError {
  std::string name;
  std::string code;  // PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, ...
  std::string message;
};

using PropInput = std::vector<std::pair<std::string, std::string>>;  // name -> value, as received
using PropWrites = std::vector<std::pair<PropIndex, std::string>>;   // validated and normalised

struct AssocRequest {
  ObjKind kind;
  std::uint64_t to_id;
  std::uint8_t bits;
};

// A change of a lead as HubSpot's webhooks report it (recorded only while recording is on).
enum class ChangeKind : std::uint8_t { creation, property, deletion, association };
struct Change {
  ChangeKind kind = ChangeKind::property;
  std::uint64_t lead_id = 0;
  std::int64_t at = 0;
  SourceIndex source = 0;
  PropIndex prop = 0;                // property
  ValueHandle value = 0;             // property
  ObjKind other = ObjKind::contact;  // association
  std::uint64_t other_id = 0;        // association
  std::uint8_t bit = 0;              // association kind (kAssocPrimary, ...)
  bool removed = false;              // association
};

class Store {
 public:
  explicit Store(std::int64_t now);

  // Back to an empty portal with the default schema.
  void reset(std::int64_t now);

  // ---- schema ---------------------------------------------------------------------------------
  const std::vector<PropertyDef>& properties() const { return props_; }
  const PropertyDef& property(PropIndex i) const { return props_[i]; }
  // "\"name\":" ready to be written as a JSON key (property names never need escaping).
  std::string_view json_key(PropIndex i) const { return json_keys_[i]; }
  std::optional<PropIndex> find_property(std::string_view name) const;
  PropIndex add_property(PropertyDef def);
  const std::vector<Pipeline>& pipelines() const { return pipelines_; }
  const Pipeline* find_pipeline(std::string_view id) const;

  // ---- sources and values -------------------------------------------------------------------
  SourceIndex intern_source(const Source& s);
  const Source& source(SourceIndex i) const { return sources_[i]; }
  std::string_view value(ValueHandle h) const { return values_.get(h); }

  // ---- leads -------------------------------------------------------------------------------
  const std::deque<Lead>& leads() const { return leads_; }
  Lead* find_lead(std::uint64_t id);
  // First lead (by id) with id >= from, index into leads().
  std::size_t lower_bound(std::uint64_t from) const;
  // Live lead holding `value` in unique property `prop`.
  Lead* find_by_unique(PropIndex prop, std::string_view value);

  // Unique values claimed by earlier inputs of the same batch.
  using Claims = std::set<std::pair<PropIndex, std::string>>;
  // Validates and normalises a property write for `existing` (nullptr: a new lead). Returns every
  // invalid property; `out` receives the normalised writes.
  std::vector<PropError> validate(const PropInput& input, const Lead* existing, PropWrites& out,
                                  Claims* claims) const;

  Lead& create_lead(const PropWrites& writes, const std::vector<AssocRequest>& assocs, SourceIndex src,
                    std::int64_t now);
  // Returns whether any value changed (only then does hs_lastmodifieddate move).
  bool update_lead(Lead& lead, const PropWrites& writes, SourceIndex src, std::int64_t now);
  void archive_lead(Lead& lead, std::int64_t now);

  // ---- contacts and companies -----------------------------------------------------------------
  CrmObject* find_object(ObjKind kind, std::uint64_t id);
  CrmObject& create_object(ObjKind kind, std::vector<std::pair<std::string, std::string>> props,
                           std::int64_t now);
  // Deletes the record and its associations; leads left without a primary association are archived.
  bool delete_object(ObjKind kind, std::uint64_t id, std::int64_t now);
  std::size_t object_count(ObjKind kind) const;
  const std::map<std::uint64_t, CrmObject>& objects(ObjKind kind) const;

  // ---- associations (lead <-> contact/company) -------------------------------------------------
  // Adds kinds of association (unlabeled is always implied). A new primary demotes the previous
  // primary of the same object type to unlabeled: a lead has one primary contact and one primary company.
  void associate(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits);
  // v4 PUT semantics: the labeled kinds become exactly `bits` (unlabeled kept). Returns true when the
  // lead was archived because it lost its last primary association.
  bool set_labels(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, std::int64_t now);
  // Removes kinds of association; removing the unlabeled kind removes the pair. Returns true when
  // the lead was archived because it lost its last primary association.
  bool dissociate(Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, std::int64_t now);

  // Demo data: contacts, companies and n leads with primary associations (sourceType IMPORT).
  void seed(std::size_t n, std::int64_t now);

  // ---- change recording (webhooks) -------------------------------------------------------------
  void record_changes(bool on) { recording_ = on; }
  // Source of association changes and archives, whose calls carry none.
  void set_change_source(SourceIndex s) { change_source_ = s; }
  std::vector<Change> take_changes() { return std::exchange(changes_, {}); }

  std::int64_t portal_id() const { return portal_id_; }
  void set_portal_id(std::int64_t id) { portal_id_ = id; }

 private:
  void index_unique(PropIndex prop, std::string_view value, std::uint64_t id);
  void unindex_unique(PropIndex prop, std::string_view value, std::uint64_t id);
  bool dedup_values(PropIndex p) const;
  void remove_pair(Lead& lead, std::size_t index);
  std::uint64_t next_id() { return next_id_++; }

  void record(Change c) {
    if (recording_) changes_.push_back(c);
  }
  void record_assoc(const Lead& lead, ObjKind kind, std::uint64_t to, std::uint8_t bits, bool removed);

  std::int64_t portal_id_ = 12345678;
  bool recording_ = false;
  SourceIndex change_source_ = 0;
  std::vector<Change> changes_;
  std::vector<PropertyDef> props_;
  std::vector<std::string> json_keys_;
  std::unordered_map<std::string, PropIndex> prop_index_;
  std::vector<Pipeline> pipelines_;
  std::vector<Source> sources_;
  std::map<std::tuple<std::string, std::string, std::int64_t>, SourceIndex> source_index_;
  ValuePool values_;
  std::deque<Lead> leads_;  // sorted by id (ids only grow)
  std::map<std::uint64_t, CrmObject> contacts_;
  std::map<std::uint64_t, CrmObject> companies_;
  std::unordered_map<PropIndex, std::unordered_map<std::string, std::uint64_t>> unique_;
  std::uint64_t next_id_ = 0;
};

}  // namespace leadsync::fake_hubspot
