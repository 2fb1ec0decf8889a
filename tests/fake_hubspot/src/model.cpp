#include "model.hpp"

#include <algorithm>

namespace leadsync::fake_hubspot {

std::string_view prop_type_name(PropType t) {
  switch (t) {
    case PropType::string:
      return "string";
    case PropType::number:
      return "number";
    case PropType::date:
      return "date";
    case PropType::datetime:
      return "datetime";
    case PropType::enumeration:
      return "enumeration";
    case PropType::boolean:
      return "bool";
    case PropType::phone_number:
      return "phone_number";
  }
  return "string";
}

std::optional<PropType> parse_prop_type(std::string_view s) {
  if (s == "string") return PropType::string;
  if (s == "number") return PropType::number;
  if (s == "date") return PropType::date;
  if (s == "datetime") return PropType::datetime;
  if (s == "enumeration") return PropType::enumeration;
  if (s == "bool") return PropType::boolean;
  if (s == "phone_number") return PropType::phone_number;
  return std::nullopt;
}

namespace {

PropertyDef hubspot_prop(std::string name, std::string label, PropType type, std::string field_type,
                         int order, std::int64_t created) {
  PropertyDef p;
  p.name = std::move(name);
  p.label = std::move(label);
  p.type = type;
  p.field_type = std::move(field_type);
  p.group_name = "leadinformation";
  p.display_order = order;
  p.hubspot_defined = true;
  p.read_only_definition = true;
  p.archivable = false;
  p.form_field = false;
  p.created_ms = created;
  p.updated_ms = created;
  return p;
}

PropertyDef custom_prop(std::string name, std::string label, PropType type, std::string field_type, int order,
                        std::int64_t created) {
  PropertyDef p =
      hubspot_prop(std::move(name), std::move(label), type, std::move(field_type), order, created);
  p.hubspot_defined = false;
  p.read_only_definition = false;
  p.archivable = true;
  p.form_field = true;
  return p;
}

std::vector<PropOption> options(std::initializer_list<std::pair<const char*, const char*>> values) {
  std::vector<PropOption> out;
  int order = 0;
  for (auto [value, label] : values) out.push_back({label, value, {}, order++, false});
  return out;
}

}  // namespace

std::vector<PropertyDef> default_lead_properties(std::int64_t created) {
  std::vector<PropertyDef> v;
  // Indices 0..2 are kPropObjectId, kPropCreateDate, kPropLastModified (computed, read-only).
  auto id = hubspot_prop("hs_object_id", "Record ID", PropType::number, "number", -1, created);
  id.description = "The unique ID for this record. This value is automatically set by HubSpot.";
  id.read_only_value = true;
  id.calculated = false;
  v.push_back(id);
  auto cd = hubspot_prop("hs_createdate", "Create date", PropType::datetime, "date", -1, created);
  cd.description = "The date and time at which this lead was created.";
  cd.read_only_value = true;
  v.push_back(cd);
  auto lm =
      hubspot_prop("hs_lastmodifieddate", "Last modified date", PropType::datetime, "date", -1, created);
  lm.description = "Most recent timestamp of any property update for this lead.";
  lm.read_only_value = true;
  v.push_back(lm);

  auto name = hubspot_prop("hs_lead_name", "Lead name", PropType::string, "text", 0, created);
  name.description = "The full name of the lead.";
  name.form_field = true;
  v.push_back(name);
  auto type = hubspot_prop("hs_lead_type", "Lead type", PropType::enumeration, "select", 1, created);
  type.description = "The type of business the lead is for.";
  type.options = options({{"NEW_BUSINESS", "New Business"}, {"EXISTING_BUSINESS", "Existing Business"}});
  v.push_back(type);
  auto label = hubspot_prop("hs_lead_label", "Lead label", PropType::enumeration, "select", 2, created);
  label.description = "The current status of the lead.";
  label.options = options({{"HOT", "Hot"}, {"WARM", "Warm"}, {"COLD", "Cold"}});
  v.push_back(label);
  auto pipe = hubspot_prop("hs_pipeline", "Pipeline", PropType::enumeration, "select", 3, created);
  pipe.description = "The pipeline the lead is in.";
  pipe.external = ExternalOptions::pipeline;
  v.push_back(pipe);
  auto stage = hubspot_prop("hs_pipeline_stage", "Lead stage", PropType::enumeration, "select", 4, created);
  stage.description = "The stage of the lead in its pipeline.";
  stage.external = ExternalOptions::pipeline_stage;
  v.push_back(stage);
  auto owner = hubspot_prop("hubspot_owner_id", "Lead owner", PropType::enumeration, "select", 5, created);
  owner.description = "The owner of the lead (a user with a seat).";
  owner.external = ExternalOptions::owner;
  owner.referenced_object_type = "OWNER";
  v.push_back(owner);

  // Not HubSpot's: one property of every remaining type so that clients can exercise each.
  auto score = custom_prop("lead_score", "Lead score", PropType::number, "number", 10, created);
  score.description = "fake-hubspot: a number property.";
  v.push_back(score);
  auto follow = custom_prop("follow_up_date", "Follow-up date", PropType::date, "date", 11, created);
  follow.description = "fake-hubspot: a date property (YYYY-MM-DD or epoch ms at midnight UTC).";
  v.push_back(follow);
  auto touch = custom_prop("last_touch_at", "Last touch", PropType::datetime, "date", 12, created);
  touch.description = "fake-hubspot: a datetime property (ISO-8601 or epoch ms).";
  v.push_back(touch);
  auto prio = custom_prop("is_priority", "Priority", PropType::boolean, "booleancheckbox", 13, created);
  prio.description = "fake-hubspot: a bool property.";
  prio.options = options({{"true", "Yes"}, {"false", "No"}});
  v.push_back(prio);
  auto notes = custom_prop("lead_notes", "Notes", PropType::string, "textarea", 14, created);
  notes.description = "fake-hubspot: a multi-line string property.";
  v.push_back(notes);
  auto phone = custom_prop("lead_phone", "Phone", PropType::phone_number, "phonenumber", 15, created);
  phone.description = "fake-hubspot: a phone_number property.";
  v.push_back(phone);
  auto tags = custom_prop("lead_tags", "Tags", PropType::enumeration, "checkbox", 16, created);
  tags.description = "fake-hubspot: a multi-select enumeration (values joined with ';').";
  tags.options = options(
      {{"inbound", "Inbound"}, {"outbound", "Outbound"}, {"referral", "Referral"}, {"event", "Event"}});
  v.push_back(tags);
  return v;
}

std::vector<Pipeline> default_lead_pipelines() {
  Pipeline p;
  p.id = "lead-pipeline-id";
  p.label = "Lead pipeline";
  p.display_order = 0;
  p.stages = {{"new-stage-id", "New", 0},
              {"attempting-stage-id", "Attempting", 1},
              {"connected-stage-id", "Connected", 2},
              {"qualified-stage-id", "Qualified", 3},
              {"unqualified-stage-id", "Disqualified", 4}};
  return {p};
}

std::optional<ObjKind> parse_object_type(std::string_view s) {
  if (s == "leads" || s == "lead" || s == "0-136") return ObjKind::lead;
  if (s == "contacts" || s == "contact" || s == "0-1") return ObjKind::contact;
  if (s == "companies" || s == "company" || s == "0-2") return ObjKind::company;
  return std::nullopt;
}

std::string_view object_type_id(ObjKind k) {
  switch (k) {
    case ObjKind::lead:
      return "0-136";
    case ObjKind::contact:
      return "0-1";
    case ObjKind::company:
      return "0-2";
  }
  return "";
}

std::string_view object_plural(ObjKind k) {
  switch (k) {
    case ObjKind::lead:
      return "leads";
    case ObjKind::contact:
      return "contacts";
    case ObjKind::company:
      return "companies";
  }
  return "";
}

std::string_view object_singular(ObjKind k) {
  switch (k) {
    case ObjKind::lead:
      return "lead";
    case ObjKind::contact:
      return "contact";
    case ObjKind::company:
      return "company";
  }
  return "";
}

const std::vector<AssocTypeInfo>& association_types() {
  // 578/580/608/610/609/611 from docs/hubspot-api.md#association-type-ids; 579/581 (reverse of the primary
  // types) are a guess.
  static const std::vector<AssocTypeInfo> kTypes = {
      {578, ObjKind::lead, ObjKind::contact, kAssocPrimary, "Primary", "lead_to_primary_contact"},
      {608, ObjKind::lead, ObjKind::contact, kAssocUnlabeled, nullptr, "lead_to_contact"},
      {580, ObjKind::lead, ObjKind::company, kAssocPrimary, "Primary", "lead_to_primary_company"},
      {610, ObjKind::lead, ObjKind::company, kAssocUnlabeled, nullptr, "lead_to_company"},
      {579, ObjKind::contact, ObjKind::lead, kAssocPrimary, "Primary", "contact_to_primary_lead"},
      {609, ObjKind::contact, ObjKind::lead, kAssocUnlabeled, nullptr, "contact_to_lead"},
      {581, ObjKind::company, ObjKind::lead, kAssocPrimary, "Primary", "company_to_primary_lead"},
      {611, ObjKind::company, ObjKind::lead, kAssocUnlabeled, nullptr, "company_to_lead"},
      // USER_DEFINED labels get portal-specific ids; these stand for labels an admin created.
      {101, ObjKind::lead, ObjKind::contact, kAssocCustom, "Decision maker", "lead_to_contact_101",
       "USER_DEFINED"},
      {102, ObjKind::contact, ObjKind::lead, kAssocCustom, "Decision maker", "contact_to_lead_102",
       "USER_DEFINED"},
      {103, ObjKind::lead, ObjKind::company, kAssocCustom, "Billing company", "lead_to_company_103",
       "USER_DEFINED"},
      {104, ObjKind::company, ObjKind::lead, kAssocCustom, "Billing company", "company_to_lead_104",
       "USER_DEFINED"},
  };
  return kTypes;
}

const AssocTypeInfo* find_association_type(ObjKind from, ObjKind to, int type_id) {
  for (const auto& t : association_types())
    if (t.from == from && t.to == to && t.type_id == type_id) return &t;
  return nullptr;
}

const AssocTypeInfo* association_type_for_bit(ObjKind from, ObjKind to, std::uint8_t bit) {
  for (const auto& t : association_types())
    if (t.from == from && t.to == to && t.bit == bit) return &t;
  return nullptr;
}

std::string v3_association_name(ObjKind from, ObjKind to, int type_id) {
  if (const auto* t = find_association_type(from, to, type_id)) return t->v3_name;
  return std::string(object_singular(from)) + "_to_" + std::string(object_singular(to)) + "_" +
         std::to_string(type_id);
}

ValuePool::ValuePool() {
  // Handle 0 is the empty string, so a cleared value needs no allocation.
  add("", true);
}

ValueHandle ValuePool::add(std::string_view v, bool dedup) {
  if (dedup) {
    if (auto it = dedup_.find(v); it != dedup_.end()) return it->second;
  }
  const std::size_t need = sizeof(std::uint32_t) + v.size();
  if (used_ + need > kChunk || chunks_.empty()) {
    const std::size_t size = std::max(kChunk, need);
    chunks_.push_back(std::make_unique<char[]>(size));
    chunk_bytes_ += size;
    // A value larger than a chunk gets a chunk of its own; mark it full so the next value starts anew.
    used_ = size > kChunk ? kChunk : 0;
    if (size > kChunk) {
      char* p = chunks_.back().get();
      const auto len = static_cast<std::uint32_t>(v.size());
      std::memcpy(p, &len, sizeof len);
      std::memcpy(p + sizeof len, v.data(), v.size());
      refs_.push_back(p);
      const auto h = static_cast<ValueHandle>(refs_.size() - 1);
      if (dedup) dedup_.emplace(std::string_view(p + sizeof len, v.size()), h);
      return h;
    }
  }
  char* p = chunks_.back().get() + used_;
  const auto len = static_cast<std::uint32_t>(v.size());
  std::memcpy(p, &len, sizeof len);
  std::memcpy(p + sizeof len, v.data(), v.size());
  used_ += need;
  refs_.push_back(p);
  const auto h = static_cast<ValueHandle>(refs_.size() - 1);
  if (dedup) dedup_.emplace(std::string_view(p + sizeof len, v.size()), h);
  return h;
}

}  // namespace leadsync::fake_hubspot
