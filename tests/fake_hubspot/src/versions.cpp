#include "versions.hpp"

#include <stdexcept>

namespace leadsync::fake_hubspot {

namespace {

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

std::string required_string(const nlohmann::json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
    throw std::invalid_argument(std::string("\"") + key + "\" must be a non-empty string");
  return j[key].get<std::string>();
}

bool bool_value(const nlohmann::json& v, const std::string& key) {
  if (!v.is_boolean()) throw std::invalid_argument("\"" + key + "\" must be true or false");
  return v.get<bool>();
}

}  // namespace

std::optional<ApiVersion> parse_api_version(std::string_view s) {
  if (s.size() < 7 || s[4] != '-' || !digits(s.substr(0, 4)) || !digits(s.substr(5, 2))) return std::nullopt;
  if (s.size() != 7 && s.substr(7) != "-beta") return std::nullopt;
  const std::string_view date = s.substr(0, 7);
  if (date < "2026-03") return std::nullopt;
  return date < "2026-09" ? ApiVersion::v2026_03 : ApiVersion::v2026_09;
}

bool is_dated(ApiVersion v) {
  return v != ApiVersion::legacy;
}

std::vector<RuleViolation> check_write_rules(const std::vector<WriteRule>& rules, bool creating,
                                             const ValueAfterWrite& value_after) {
  std::vector<RuleViolation> out;
  auto missing = [&](const std::string& name) {
    auto v = value_after(name);
    return !v || v->empty();
  };
  for (const auto& r : rules) {
    if (r.kind == WriteRuleKind::required_on_create) {
      if (creating && missing(r.property))
        out.push_back({"MISSING_REQUIRED_PROPERTY", r.property,
                       "Property " + r.property + " is required to create this record"});
      continue;
    }
    const auto controlling = value_after(r.if_property);
    if (controlling && *controlling == r.if_value && missing(r.property))
      out.push_back({"MISSING_CONDITIONAL_REQUIRED_PROPERTY", r.property,
                     "Property " + r.property + " is required when " + r.if_property + " is " + r.if_value +
                         " [" + r.if_property + "]"});
  }
  return out;
}

WriteRule parse_write_rule(const nlohmann::json& j) {
  if (!j.is_object()) throw std::invalid_argument("each validation rule must be an object");
  WriteRule r;
  const std::string kind = required_string(j, "kind");
  if (kind == "conditional_required") {
    r.kind = WriteRuleKind::conditional_required;
    r.if_property = required_string(j, "if_property");
    if (!j.contains("if_value") || !j["if_value"].is_string())
      throw std::invalid_argument("\"if_value\" must be a string");
    r.if_value = j["if_value"].get<std::string>();
  } else if (kind == "required_on_create") {
    r.kind = WriteRuleKind::required_on_create;
  } else {
    throw std::invalid_argument("\"kind\" must be conditional_required or required_on_create, got " + kind);
  }
  r.property = required_string(j, "property");
  return r;
}

nlohmann::ordered_json write_rule_json(const WriteRule& r) {
  nlohmann::ordered_json j;
  j["kind"] = r.kind == WriteRuleKind::conditional_required ? "conditional_required" : "required_on_create";
  j["property"] = r.property;
  if (r.kind == WriteRuleKind::conditional_required) {
    j["if_property"] = r.if_property;
    j["if_value"] = r.if_value;
  }
  return j;
}

void apply_version_config(const nlohmann::json& body, VersionConfig& c, nlohmann::json& rest) {
  rest = nlohmann::json::object();
  for (auto it = body.begin(); it != body.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = it.value();
    if (key == "batch_errors_2026_09") {
      if (v != "inline" && v != "multi_status")
        throw std::invalid_argument("\"batch_errors_2026_09\" must be \"inline\" or \"multi_status\"");
      c.multi_status_2026_09 = v == "multi_status";
    } else if (key == "association_archive_dated") {
      if (v != "batch_response" && v != "no_content")
        throw std::invalid_argument(
            "\"association_archive_dated\" must be \"batch_response\" or \"no_content\"");
      c.archive_no_content_dated = v == "no_content";
    } else if (key == "association_ids_dated") {
      if (v != "number" && v != "string")
        throw std::invalid_argument("\"association_ids_dated\" must be \"number\" or \"string\"");
      c.association_ids_as_strings = v == "string";
    } else if (key == "validation_rules") {
      if (!v.is_array()) throw std::invalid_argument("\"validation_rules\" must be an array");
      std::vector<WriteRule> rules;
      for (const auto& r : v) rules.push_back(parse_write_rule(r));
      c.write_rules = std::move(rules);
    } else if (key == "oauth_access_token_ttl_s") {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 1)
        throw std::invalid_argument("\"oauth_access_token_ttl_s\" must be a positive integer");
      c.oauth_access_token_ttl_s = v.get<std::int64_t>();
    } else if (key == "oauth_rotate_refresh_tokens") {
      c.oauth_rotate_refresh_tokens = bool_value(v, key);
    } else {
      rest[key] = v;
    }
  }
}

void version_config_json(const VersionConfig& c, nlohmann::ordered_json& out) {
  out["batch_errors_2026_09"] = c.multi_status_2026_09 ? "multi_status" : "inline";
  out["association_archive_dated"] = c.archive_no_content_dated ? "no_content" : "batch_response";
  out["association_ids_dated"] = c.association_ids_as_strings ? "string" : "number";
  nlohmann::ordered_json rules = nlohmann::ordered_json::array();
  for (const auto& r : c.write_rules) rules.push_back(write_rule_json(r));
  out["validation_rules"] = std::move(rules);
  out["oauth_access_token_ttl_s"] = c.oauth_access_token_ttl_s;
  out["oauth_rotate_refresh_tokens"] = c.oauth_rotate_refresh_tokens;
}

}  // namespace leadsync::fake_hubspot
