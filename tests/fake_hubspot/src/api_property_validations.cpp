// Property validation rules: GET /crm/v3/property-validations/{objectTypeId}[/{propertyName}] and
// PUT/GET/DELETE .../{propertyName}/rule-type/{ruleType}, with the date-versioned spelling
// /crm/property-validations/{version}/... . The rules are stored and reported; writes are not checked
// against them (see README's decisions).
#include <algorithm>

#include "app.hpp"

namespace leadsync::fake_hubspot {

namespace {

// Rule types as HubSpot spells them: upper-case words joined by underscores. The documented list is
// longer than the fake needs to know, so any such name is accepted.
bool valid_rule_type(const std::string& t) {
  return !t.empty() && t.size() <= 64 && t.front() != '_' && t.back() != '_' &&
         std::all_of(t.begin(), t.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
}

nlohmann::ordered_json rule_json(const std::string& type, const PropertyRule& r) {
  nlohmann::ordered_json j;
  j["ruleArguments"] = r.arguments;
  j["ruleType"] = type;
  j["shouldApplyNormalization"] = r.normalize;
  return j;
}

}  // namespace

App::Handler App::route_property_validations(Ctx& ctx, bool& mismatch) {
  const auto& s = ctx.segs;
  const auto& m = ctx.req.method;
  mismatch = false;
  std::size_t base = 0;
  if (s.size() >= 4 && s[1] == "v3" && s[2] == "property-validations") {
    base = 3;
  } else if (s.size() >= 4 && s[1] == "property-validations") {
    auto v = parse_api_version(s[2]);
    if (!v) return nullptr;
    ctx.version = *v;
    base = 3;
  }
  if (!base) return nullptr;
  const std::string prefix = "/crm/" + s[1] + "/" + s[2] + "/" + s[3];
  const std::size_t rest = s.size() - base;
  auto only = [&](const char* method, Handler h, std::string tmpl) -> Handler {
    ctx.route = std::move(tmpl);
    if (m == method) return h;
    mismatch = true;
    return nullptr;
  };
  if (rest == 1) {
    ctx.params = {s[3]};
    return only("GET", &App::h_propval_list, prefix);
  }
  if (rest == 2) {
    ctx.params = {s[3], s[4]};
    return only("GET", &App::h_propval_get, prefix + "/{propertyName}");
  }
  if (rest == 4 && s[5] == "rule-type") {
    ctx.params = {s[3], s[4], s[6]};
    ctx.route = prefix + "/{propertyName}/rule-type/{ruleType}";
    if (m == "GET" || m == "PUT" || m == "DELETE") return &App::h_propval_rule;
    mismatch = true;
  }
  return nullptr;
}

HttpResponse App::h_propval_list(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& [name, rules] : property_rules_) {
    if (rules.empty()) continue;
    nlohmann::ordered_json item;
    item["propertyName"] = name;
    item["propertyValidationRules"] = nlohmann::ordered_json::array();
    for (const auto& [type, rule] : rules) item["propertyValidationRules"].push_back(rule_json(type, rule));
    results.push_back(std::move(item));
  }
  return json(200, nlohmann::ordered_json{{"results", std::move(results)}});
}

HttpResponse App::h_propval_get(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  if (!store_.find_property(ctx.params[1]))
    return error(ctx, 404, "OBJECT_NOT_FOUND",
                 "Unable to find property " + ctx.params[1] + " for object type 0-136");
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  if (auto it = property_rules_.find(ctx.params[1]); it != property_rules_.end())
    for (const auto& [type, rule] : it->second) results.push_back(rule_json(type, rule));
  return json(200, nlohmann::ordered_json{{"results", std::move(results)}});
}

HttpResponse App::h_propval_rule(Ctx& ctx) {
  if (parse_object_type(ctx.params[0]) != ObjKind::lead)
    return error(ctx, 400, "VALIDATION_ERROR", "Unable to infer object type from: " + ctx.params[0]);
  const std::string& name = ctx.params[1];
  const std::string& type = ctx.params[2];
  if (!store_.find_property(name))
    return error(ctx, 404, "OBJECT_NOT_FOUND", "Unable to find property " + name + " for object type 0-136");
  if (!valid_rule_type(type)) return error(ctx, 400, "VALIDATION_ERROR", "Invalid rule type: " + type);
  auto& rules = property_rules_[name];
  const auto found = rules.find(type);
  if (ctx.req.method == "GET") {
    if (found == rules.end())
      return error(ctx, 404, "OBJECT_NOT_FOUND", "No " + type + " rule for property " + name);
    return json(200, rule_json(type, found->second));
  }
  if (ctx.req.method == "DELETE") {
    if (found != rules.end()) rules.erase(found);
    HttpResponse r;
    r.status = 204;
    return r;
  }
  HttpResponse fail;
  auto body = parse_body(ctx, fail);
  if (!body) return fail;
  auto bad = [&](std::string msg) { return error(ctx, 400, "VALIDATION_ERROR", std::move(msg)); };
  if (!body->is_object() || !body->contains("ruleArguments") || !(*body)["ruleArguments"].is_array())
    return bad("Invalid input JSON: \"ruleArguments\" is required and must be an array");
  PropertyRule rule;
  for (const auto& a : (*body)["ruleArguments"]) {
    if (!a.is_string()) return bad("ruleArguments must be strings");
    rule.arguments.push_back(a.get<std::string>());
  }
  if (body->contains("shouldApplyNormalization")) {
    if (!(*body)["shouldApplyNormalization"].is_boolean())
      return bad("shouldApplyNormalization must be a boolean");
    rule.normalize = (*body)["shouldApplyNormalization"].get<bool>();
  }
  rules[type] = std::move(rule);
  HttpResponse r;
  r.status = 204;
  return r;
}

}  // namespace leadsync::fake_hubspot
