#pragma once
// Plain value types the HubSpot client speaks: lead objects as HubSpot returns them (properties are
// strings or null, history newest first, associations per target type), write inputs, per-input batch
// errors, and the schema objects (property definitions, pipelines, association labels).
// No JSON here: the client decodes HubSpot's JSON into these structs (see client.hpp).
// Nothing in this header throws beyond std::bad_alloc. Values; no shared state.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leadsync::hubspot {

// One entry of propertiesWithHistory.
struct PropertyVersion {
  std::optional<std::string> value;      // HubSpot sends strings; null when the property was cleared
  std::string timestamp;                 // ISO-8601 as sent, e.g. 2026-01-17T19:55:04.281Z
  std::string source_type;               // INTEGRATION, CRM_UI, API, IMPORT, CALCULATED, ...
  std::optional<std::string> source_id;  // e.g. the app id for INTEGRATION, "userId:51446676" for CRM_UI
};

// A record this lead is associated with, and every association type id between the two
// (repeated ids in HubSpot's answer are merged into one entry).
struct AssociatedObject {
  std::string to_id;
  std::vector<int> type_ids;
};

// v3 list/get answers name association types with strings; the lead ones leadsync knows are mapped to
// their numeric ids (docs/hubspot-api.md#association-type-ids). nullopt for any other string.
std::optional<int> lead_association_type_id(const std::string& v3_type_name);

struct LeadObject {
  std::string id;
  std::map<std::string, std::optional<std::string>> properties;  // null = requested but unset
  std::map<std::string, std::vector<PropertyVersion>> history;   // propertiesWithHistory, newest first
  std::string created_at;                                        // ISO-8601 as sent (createdAt)
  std::string updated_at;                                        // ISO-8601 as sent (updatedAt)
  bool archived = false;
  std::optional<std::string> archived_at;
  // Trace id of the write that produced this object. Set from HubSpot's objectWriteTraceId when it sends
  // one, otherwise filled in by the client when it could match the result to its input (batch create).
  std::optional<std::string> object_write_trace_id;
  // Associations by target type ("contacts", "companies"); nullopt when none were requested.
  std::optional<std::map<std::string, std::vector<AssociatedObject>>> associations;
  // True when a v3 association type string was not one the client knows, or HubSpot paged the
  // association list: `associations` is then incomplete and the caller should read this lead's
  // associations with HubSpotClient::batch_read_associations (v4, numeric type ids).
  bool associations_unresolved = false;

  // Convenience: the property's value, or nullopt when absent or null.
  std::optional<std::string> property(const std::string& name) const;
};

// An association to create together with a lead, or a label to set on a pair (v4).
struct AssociationSpec {
  std::string category = "HUBSPOT_DEFINED";  // HUBSPOT_DEFINED | USER_DEFINED | INTEGRATOR_DEFINED | WORK
  int type_id = 0;
};

struct AssociationInput {
  std::string to_id;
  std::vector<AssociationSpec> types;
};

struct LeadCreateInput {
  std::map<std::string, std::string> properties;
  std::vector<AssociationInput> associations;        // a primary (578 or 580) one is required by HubSpot
  std::optional<std::string> object_write_trace_id;  // filled in by the client when absent
};

struct LeadUpdateInput {
  std::string id;  // record id, or the unique value when the batch uses an id_property
  std::map<std::string, std::string> properties;     // "" clears a value
  std::optional<std::string> object_write_trace_id;  // filled in by the client when absent
};

struct LeadUpsertInput {
  std::string id;  // the value of the batch's id_property
  std::map<std::string, std::string> properties;
  std::optional<std::string> object_write_trace_id;
};

struct UpsertResult {
  LeadObject lead;
  bool is_new = false;  // HubSpot's "new"
};

// One failed input of a batch call (207 multi-status or numErrors on a 200), reported as a value.
struct BatchError {
  int http_status = 0;   // status of the HTTP response that carried the error (207, 200, ...)
  std::string status;    // the error's own "status" field ("error")
  std::string category;  // VALIDATION_ERROR, OBJECT_NOT_FOUND, CONFLICT, ...
  std::string sub_category;
  std::string message;
  std::string correlation_id;
  std::map<std::string, std::vector<std::string>>
      context;  // e.g. {"ids": ["42"]}, {"objectWriteTraceId": [...]}

  // context["ids"] + context["id"]: the record ids (or unique values) the error is about.
  std::vector<std::string> ids() const;
  // context["objectWriteTraceId"].
  std::vector<std::string> trace_ids() const;
};

template <class T>
struct BatchResult {
  std::vector<T> results;  // in no particular order: match by id / trace id, never by position
  std::vector<BatchError> errors;
  // An attempt of the call was sent and its answer never came (a timeout, a dropped connection) before the
  // retry that answered: HubSpot may still apply that earlier request, later (see Call::unconfirmed_attempt).
  bool unconfirmed_attempt = false;
};

// Result of a v4 labels write on one pair (PUT .../associations/{toType}/{toId}, batch create).
struct AssociationPairLabels {
  std::string from_id;
  std::string to_id;
  std::vector<std::string> labels;
};

// v4 batch association read: every requested lead that did not fail has an entry (empty when it has
// no association of that type).
struct AssociationsByLead {
  std::map<std::string, std::vector<AssociatedObject>> by_lead;
  std::vector<BatchError> errors;  // inputs HubSpot refused (other than "no associations found")
};

// One v4 association to archive, or one labelled association to create/archive in a batch.
struct AssociationPairInput {
  std::string from_id;
  std::string to_id;
  std::vector<AssociationSpec> types;  // unused by batch_archive_associations (which removes all)
};

struct AssociationLabel {
  std::string category;  // HUBSPOT_DEFINED | USER_DEFINED | ...
  int type_id = 0;
  std::optional<std::string> label;  // null for unlabeled types
};

struct PropertyOption {
  std::string label;
  std::string value;
  bool hidden = false;
  std::optional<std::string> description;
  std::optional<int> display_order;
};

struct PropertyDefinition {
  std::string name;
  std::string label;
  std::string type;        // string, number, date, datetime, enumeration, bool, phone_number
  std::string field_type;  // text, textarea, select, radio, checkbox, booleancheckbox, number, date, ...
  std::string group_name;
  std::string description;
  std::vector<PropertyOption> options;
  bool has_unique_value = false;
  bool hidden = false;
  bool form_field = false;
  bool calculated = false;
  bool external_options = false;  // pipeline-backed enumerations: validate against list_pipelines()
  bool hubspot_defined = false;
  bool archived = false;
  bool read_only_value = false;       // modificationMetadata.readOnlyValue
  bool read_only_definition = false;  // modificationMetadata.readOnlyDefinition
};

// A property validation rule as the property-validations API reports it: ruleType (MAX_LENGTH,
// ALPHANUMERIC, MIN_NUMBER, REGEX, ...) and its arguments, kept as text whatever JSON type they came in.
struct PropertyValidationRule {
  std::string rule_type;
  std::vector<std::string> arguments;
};

struct PropertyValidation {
  std::string property;
  std::vector<PropertyValidationRule> rules;
};

struct PipelineStage {
  std::string id;
  std::string label;
  int display_order = 0;
  bool archived = false;
};

struct Pipeline {
  std::string id;
  std::string label;
  int display_order = 0;
  bool archived = false;
  std::vector<PipelineStage> stages;
};

}  // namespace leadsync::hubspot
