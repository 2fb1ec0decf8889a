// Properties v3 (list, read, create) and pipelines v3 (read) for leads.
#include <algorithm>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

bool valid_property_name(const std::string& n) {
  if (n.empty() || !(n[0] >= 'a' && n[0] <= 'z')) return false;
  return std::all_of(n.begin(), n.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

const char* kFieldTypes[] = {"textarea",
                             "text",
                             "date",
                             "file",
                             "number",
                             "select",
                             "radio",
                             "checkbox",
                             "booleancheckbox",
                             "calculation_equation",
                             "html",
                             "phonenumber"};

}  // namespace

nlohmann::ordered_json App::property_json(const PropertyDef& p) {
  nlohmann::ordered_json j;
  j["updatedAt"] = format_iso_ms(p.updated_ms);
  j["createdAt"] = format_iso_ms(p.created_ms);
  j["name"] = p.name;
  j["label"] = p.label;
  j["type"] = std::string(prop_type_name(p.type));
  j["fieldType"] = p.field_type;
  j["description"] = p.description;
  j["groupName"] = p.group_name;
  nlohmann::ordered_json options = nlohmann::ordered_json::array();
  for (const auto& o : p.options) {
    nlohmann::ordered_json x;
    x["label"] = o.label;
    x["value"] = o.value;
    if (!o.description.empty()) x["description"] = o.description;
    x["displayOrder"] = o.display_order;
    x["hidden"] = o.hidden;
    options.push_back(std::move(x));
  }
  j["options"] = std::move(options);
  j["displayOrder"] = p.display_order;
  j["calculated"] = p.calculated;
  j["externalOptions"] = p.external != ExternalOptions::none;
  j["hasUniqueValue"] = p.has_unique_value;
  j["hidden"] = p.hidden;
  j["hubspotDefined"] = p.hubspot_defined;
  if (!p.referenced_object_type.empty()) j["referencedObjectType"] = p.referenced_object_type;
  j["modificationMetadata"] = {{"archivable", p.archivable},
                               {"readOnlyDefinition", p.read_only_definition},
                               {"readOnlyValue", p.read_only_value}};
  if (p.type == PropType::enumeration)
    j["modificationMetadata"]["readOnlyOptions"] = p.external != ExternalOptions::none;
  j["formField"] = p.form_field;
  j["dataSensitivity"] = "non_sensitive";
  j["archived"] = false;
  return j;
}

HttpResponse App::h_props_list(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  const auto archived = query_value(ctx.query, "archived");
  const auto only = query_list(ctx.query, "properties");
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  if (!(archived && iequals(*archived, "true"))) {  // nothing is ever archived here
    for (const auto& p : store_.properties()) {
      if (!only.empty() && std::find(only.begin(), only.end(), p.name) == only.end()) continue;
      results.push_back(property_json(p));
    }
  }
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  return json(200, out);
}

HttpResponse App::h_props_get(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  auto p = store_.find_property(ctx.params[1]);
  if (!p)
    return error(ctx, 404, "OBJECT_NOT_FOUND",
                 "Unable to find property " + ctx.params[1] + " for object type 0-136");
  return json(200, property_json(store_.property(*p)));
}

HttpResponse App::h_props_create(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  auto bad = [&](std::string msg) { return error(ctx, 400, "VALIDATION_ERROR", std::move(msg)); };
  if (!body->is_object()) return bad("Invalid input JSON: expected an object");
  for (const char* key : {"name", "label", "type", "fieldType", "groupName"})
    if (!body->contains(key) || !(*body)[key].is_string() || (*body)[key].get<std::string>().empty())
      return bad(std::string("Invalid input JSON: \"") + key + "\" is required");
  PropertyDef p;
  p.name = (*body)["name"].get<std::string>();
  if (!valid_property_name(p.name))
    return bad("Property name " + p.name +
               " is invalid: use lower-case letters, digits and underscores, starting with a letter");
  if (store_.find_property(p.name))
    return error(ctx, 409, "OBJECT_ALREADY_EXISTS", "Property named '" + p.name + "' already exists.");
  p.label = (*body)["label"].get<std::string>();
  auto type = parse_prop_type((*body)["type"].get<std::string>());
  if (!type) return bad("Invalid property type: " + (*body)["type"].get<std::string>());
  p.type = *type;
  p.field_type = (*body)["fieldType"].get<std::string>();
  if (std::find(std::begin(kFieldTypes), std::end(kFieldTypes), p.field_type) == std::end(kFieldTypes))
    return bad("Invalid fieldType: " + p.field_type);
  p.group_name = (*body)["groupName"].get<std::string>();
  p.description = body->value("description", std::string());
  p.display_order = body->value("displayOrder", -1);
  p.hidden = body->value("hidden", false);
  p.form_field = body->value("formField", false);
  p.has_unique_value = body->value("hasUniqueValue", false);
  if (p.has_unique_value && p.type != PropType::string && p.type != PropType::number)
    return bad("hasUniqueValue is only supported for string and number properties");
  if (body->contains("options")) {
    if (!(*body)["options"].is_array()) return bad("options must be an array");
    int order = 0;
    for (const auto& o : (*body)["options"]) {
      if (!o.is_object() || !o.contains("label") || !o.contains("value") || !o["label"].is_string() ||
          !o["value"].is_string())
        return bad("each option needs a label and a value");
      PropOption opt;
      opt.label = o["label"].get<std::string>();
      opt.value = o["value"].get<std::string>();
      opt.description = o.value("description", std::string());
      // Optional in v3; the date versions require it on every option.
      if (is_dated(ctx.version) && (!o.contains("displayOrder") || !o["displayOrder"].is_number_integer()))
        return bad("options[" + std::to_string(order) + "].displayOrder is required");
      opt.display_order = o.value("displayOrder", order);
      opt.hidden = o.value("hidden", false);
      ++order;
      p.options.push_back(std::move(opt));
    }
  }
  if (p.type == PropType::enumeration && !body->contains("options"))
    return bad("options are required for enumeration properties");
  if (p.type == PropType::boolean && p.options.empty())
    p.options = {{"Yes", "true", {}, 0, false}, {"No", "false", {}, 1, false}};
  p.hubspot_defined = false;
  p.read_only_definition = false;
  p.archivable = true;
  p.created_ms = p.updated_ms = ctx.now;
  const PropIndex idx = store_.add_property(std::move(p));
  return json(201, property_json(store_.property(idx)));
}

nlohmann::ordered_json App::stage_json(const PipelineStage& s) {
  nlohmann::ordered_json j;
  j["label"] = s.label;
  j["displayOrder"] = s.display_order;
  j["metadata"] = nlohmann::ordered_json::object();
  j["id"] = s.id;
  // Stages of default pipelines carry createdAt = 0 (pipelines spec).
  j["createdAt"] = format_iso_ms(0);
  j["updatedAt"] = format_iso_ms(0);
  j["archived"] = false;
  j["writePermissions"] = "CRM_PERMISSIONS_ENFORCEMENT";
  return j;
}

nlohmann::ordered_json App::pipeline_json(const Pipeline& p) {
  nlohmann::ordered_json j;
  j["label"] = p.label;
  j["displayOrder"] = p.display_order;
  j["id"] = p.id;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const auto& s : p.stages) stages.push_back(stage_json(s));
  j["stages"] = std::move(stages);
  j["createdAt"] = format_iso_ms(0);
  j["updatedAt"] = format_iso_ms(0);
  j["archived"] = false;
  return j;
}

HttpResponse App::h_pipelines_list(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& p : store_.pipelines()) results.push_back(pipeline_json(p));
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  return json(200, out);
}

HttpResponse App::h_pipeline_get(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  const Pipeline* p = store_.find_pipeline(ctx.params[1]);
  if (!p) return error(ctx, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline " + ctx.params[1]);
  return json(200, pipeline_json(*p));
}

HttpResponse App::h_pipeline_stages(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  const Pipeline* p = store_.find_pipeline(ctx.params[1]);
  if (!p) return error(ctx, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline " + ctx.params[1]);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& s : p->stages) results.push_back(stage_json(s));
  nlohmann::ordered_json out;
  out["results"] = std::move(results);
  return json(200, out);
}

HttpResponse App::h_pipeline_stage(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  const Pipeline* p = store_.find_pipeline(ctx.params[1]);
  if (!p) return error(ctx, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline " + ctx.params[1]);
  for (const auto& s : p->stages)
    if (s.id == ctx.params[2]) return json(200, stage_json(s));
  return error(ctx, 404, "OBJECT_NOT_FOUND",
               "Unable to find stage " + ctx.params[2] + " in pipeline " + p->id);
}

}  // namespace leadsync::fake_hubspot
