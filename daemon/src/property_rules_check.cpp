#include "property_rules_check.hpp"

#include <cstdlib>
#include <map>
#include <optional>

namespace leadsync::daemon {

namespace {

using Status = CheckItem::Status;

constexpr std::size_t kUuidLength = 36;

std::optional<long long> integer_argument(const hubspot::PropertyValidationRule& rule) {
  if (rule.arguments.empty()) return std::nullopt;
  const std::string& a = rule.arguments.front();
  char* end = nullptr;
  const long long v = std::strtoll(a.c_str(), &end, 10);
  if (a.empty() || end != a.c_str() + a.size()) return std::nullopt;
  return v;
}

std::string first_argument(const hubspot::PropertyValidationRule& rule) {
  return rule.arguments.empty() ? std::string() : rule.arguments.front();
}

std::string joined_arguments(const hubspot::PropertyValidationRule& rule) {
  std::string out;
  for (const auto& a : rule.arguments) out += (out.empty() ? "" : ", ") + a;
  return out;
}

std::string meaning(const hubspot::PropertyValidationRule& rule) {
  const std::string& t = rule.rule_type;
  const std::string a = first_argument(rule);
  if (t == "MAX_LENGTH") return "at most " + a + " characters";
  if (t == "MIN_LENGTH") return "at least " + a + " characters";
  if (t == "MAX_NUMBER") return "at most " + a;
  if (t == "MIN_NUMBER") return "at least " + a;
  if (t == "DECIMAL") return "at most " + a + " decimal places";
  if (t == "ALPHANUMERIC" && a == "NUMERIC_ONLY") return "digits only";
  if (t == "ALPHANUMERIC" && a == "ALPHA_ONLY") return "letters only";
  if (t == "ALPHANUMERIC") return "letters and digits only";
  if (t == "REGEX" || t == "FORMAT") return "must match a pattern";
  if (t == "EMAIL") return "an email address";
  if (t == "URL" || t == "DOMAIN") return "a web address";
  return "";
}

}  // namespace

std::string describe_rule(const hubspot::PropertyValidationRule& rule) {
  std::string out = rule.rule_type;
  const std::string args = joined_arguments(rule);
  if (!args.empty()) out += " " + args;
  const std::string m = meaning(rule);
  if (!m.empty()) out += " (" + m + ")";
  return out;
}

RuleVerdict uuid_verdict(const hubspot::PropertyValidationRule& rule) {
  const std::string& t = rule.rule_type;
  if (t == "MAX_LENGTH" || t == "MIN_LENGTH") {
    const auto n = integer_argument(rule);
    if (!n) return RuleVerdict::unknown;
    const auto len = static_cast<long long>(kUuidLength);
    return (t == "MAX_LENGTH" ? len <= *n : len >= *n) ? RuleVerdict::satisfied : RuleVerdict::broken;
  }
  // A UUID has hyphens, so no letters-and/or-digits-only rule can hold; nor is it an address.
  if (t == "ALPHANUMERIC" || t == "EMAIL" || t == "URL" || t == "DOMAIN") return RuleVerdict::broken;
  return RuleVerdict::unknown;
}

std::vector<CheckItem> check_validation_rules(const config::AppConfig& cfg,
                                              const std::vector<hubspot::PropertyValidation>& validations) {
  std::map<std::string, const hubspot::PropertyValidation*> by_name;
  for (const auto& v : validations)
    if (!v.rules.empty()) by_name[v.property] = &v;
  std::vector<CheckItem> out;
  for (const auto& m : cfg.mappings) {
    auto it = by_name.find(m.property);
    if (it == by_name.end() || m.direction == config::Direction::pull) continue;
    std::string rules;
    for (const auto& r : it->second->rules) rules += (rules.empty() ? "" : "; ") + describe_rule(r);
    out.push_back({Status::warn, "hubspot", "validation rules of " + m.property,
                   "HubSpot refuses writes that break " + rules + ". leadsync does not check them before " +
                       "pushing: a row whose " + m.column + " breaks one goes FAILED with HubSpot's " +
                       "message (fix the row, then --retry-failed)"});
  }
  if (cfg.hubspot.unique_key_property) {
    const auto& name = *cfg.hubspot.unique_key_property;
    auto it = by_name.find(name);
    if (it != by_name.end()) {
      CheckItem item{Status::warn, "hubspot", "validation rules of " + name, ""};
      std::string broken, unknown;
      for (const auto& r : it->second->rules) {
        const auto verdict = uuid_verdict(r);
        if (verdict == RuleVerdict::broken) broken += (broken.empty() ? "" : "; ") + describe_rule(r);
        if (verdict == RuleVerdict::unknown) unknown += (unknown.empty() ? "" : "; ") + describe_rule(r);
      }
      if (!broken.empty()) {
        item.status = Status::fail;
        item.detail =
            "leadsync writes each row's sync_key (a UUID such as "
            "0b6f3c2e-5d1a-4e8b-9c7d-2f4a6e8b0c1d) to this unique key property, and HubSpot "
            "would refuse it on every create: " +
            broken + ". Remove the rule or choose another hubspot.unique_key_property";
      } else if (!unknown.empty()) {
        item.detail =
            "leadsync writes each row's sync_key (a UUID) to this unique key property; it cannot "
            "tell whether a UUID passes " +
            unknown;
      } else {
        item.status = Status::ok;
        item.detail = "the UUIDs leadsync writes here pass its rules";
      }
      out.push_back(std::move(item));
    }
  }
  return out;
}

}  // namespace leadsync::daemon
