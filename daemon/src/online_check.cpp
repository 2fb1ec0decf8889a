#include "online_check.hpp"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "api_budget.hpp"
#include "exit_codes.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/db/schema_inspector.hpp"
#include "options.hpp"
#include "property_rules_check.hpp"
#include "runtime.hpp"

namespace leadsync::daemon {

namespace {

using Status = CheckItem::Status;

const char* status_name(Status s) {
  switch (s) {
    case Status::ok:
      return "ok";
    case Status::warn:
      return "warn";
    case Status::fail:
      return "FAIL";
  }
  return "?";
}

// How a HubSpot property type fits a mapping type: ok, warn (works with caveats) or fail.
std::pair<Status, std::string> type_fit(config::PropertyType mapped, const hubspot::PropertyDefinition& p) {
  using T = config::PropertyType;
  const std::string& t = p.type;
  switch (mapped) {
    case T::string:
      if (t == "string" || t == "phone_number") return {Status::ok, ""};
      return {Status::warn, "HubSpot type is " + t +
                                "; values are kept as text and a push must send values " +
                                "HubSpot accepts for a " + t + " property"};
    case T::number:
      if (t == "number") return {Status::ok, ""};
      break;
    case T::boolean:
      if (t == "bool" || (t == "enumeration" && p.field_type == "booleancheckbox")) return {Status::ok, ""};
      break;
    case T::date:
      if (t == "date") return {Status::ok, ""};
      if (t == "datetime") return {Status::warn, "HubSpot type is datetime; the time of day is dropped"};
      break;
    case T::datetime:
      if (t == "datetime") return {Status::ok, ""};
      if (t == "date") return {Status::warn, "HubSpot type is date; pushed values must be midnight UTC"};
      break;
    case T::enumeration:
      if (t == "enumeration") return {Status::ok, ""};
      if (t == "string") return {Status::warn, "HubSpot type is string (no option list to validate against)"};
      break;
  }
  return {Status::fail, std::string("HubSpot type is ") + t + ", which does not fit mapping type " +
                            config::to_string(mapped)};
}

constexpr const char* kHiddenRulesNote =
    ". On 2026-09 HubSpot also enforces conditional-required properties and Create-form requirements, "
    "which it does not list: a row that breaks one goes FAILED with the property named in sync_error";

bool is_unreachable(const core::Error& e) {
  return e.is_transient() || e.details().http_status == 401 || e.details().http_status == 403;
}

}  // namespace

int CheckReport::exit_code() const {
  bool config_failure = false, any_failure = false;
  for (const auto& i : items) {
    if (i.status != Status::fail) continue;
    any_failure = true;
    if (i.check != "connection") config_failure = true;
  }
  if (config_failure) return kExitConfig;
  if (unreachable || any_failure) return kExitUnavailable;
  return kExitOk;
}

std::vector<CheckItem> check_properties(const config::AppConfig& cfg,
                                        const std::vector<hubspot::PropertyDefinition>& properties) {
  std::map<std::string, const hubspot::PropertyDefinition*> by_name;
  for (const auto& p : properties) by_name[p.name] = &p;
  std::vector<CheckItem> out;
  for (const auto& m : cfg.mappings) {
    CheckItem item{Status::ok, "hubspot", "property " + m.property, ""};
    auto it = by_name.find(m.property);
    if (it == by_name.end()) {
      item.status = Status::fail;
      item.detail = "does not exist among HubSpot's lead properties (mapped to column " + m.column + ")";
      out.push_back(item);
      continue;
    }
    const auto& p = *it->second;
    auto [fit, why] = type_fit(m.type, p);
    item.status = fit;
    item.detail = "-> " + m.column + ": " + p.type + (p.field_type.empty() ? "" : "/" + p.field_type) +
                  ", direction " + config::to_string(m.direction);
    if (!why.empty()) item.detail += "; " + why;
    const bool pushes = m.direction != config::Direction::pull;
    if (pushes && (p.read_only_value || p.calculated)) {
      item.status = Status::fail;
      item.detail += "; read-only in HubSpot" + std::string(p.calculated ? " (calculated)" : "") +
                     ", so it cannot be pushed: use direction: pull";
    }
    if (p.archived) {
      item.status = Status::fail;
      item.detail += "; archived in HubSpot";
    }
    out.push_back(item);
  }
  if (cfg.hubspot.unique_key_property) {
    const auto& name = *cfg.hubspot.unique_key_property;
    CheckItem item{Status::ok, "hubspot", "unique key property " + name, ""};
    auto it = by_name.find(name);
    if (it == by_name.end()) {
      item.status = cfg.hubspot.create_unique_key_property ? Status::warn : Status::fail;
      item.detail = cfg.hubspot.create_unique_key_property
                        ? "does not exist yet: leadsync creates it at the first sync (needs the "
                          "crm.schemas.leads.write scope)"
                        : "does not exist; create it (string, unique values) or set "
                          "hubspot.create_unique_key_property: true";
    } else if (!it->second->has_unique_value) {
      item.status = Status::fail;
      item.detail = "exists without unique values (hasUniqueValue): choose another name";
    } else {
      item.detail = "exists with unique values";
    }
    out.push_back(item);
  }
  return out;
}

namespace {

// The portal's property validation rules (check_validation_rules). Reading them is advice, not a
// precondition: a token without the scope, or a portal that does not serve the endpoint, gets a warning
// and the check goes on.
net::awaitable<void> check_rules(Runtime& rt, CheckReport& report) {
  std::vector<hubspot::PropertyValidation> validations;
  try {
    validations = co_await rt.client().list_property_validations();
  } catch (const core::Error& e) {
    report.items.push_back({Status::warn, "hubspot", "property validation rules",
                            std::string("could not be read (") + e.what() +
                                "); a write that breaks a rule is refused and its row goes FAILED"});
    co_return;
  }
  auto items = check_validation_rules(rt.config(), validations);
  // 2026-09 also enforces conditional-required and Create-form rules, which this API is not known to
  // report: say so, since a clean list does not rule them out.
  const bool hidden_rules = rt.config().hubspot.api_version == config::ApiVersion::v2026_09;
  report.items.push_back({Status::ok, "hubspot", "property validation rules",
                          std::to_string(validations.size()) + " lead properties carry rules, " +
                              std::to_string(items.size()) + " of them written by leadsync" +
                              (hidden_rules ? kHiddenRulesNote : "")});
  for (auto& item : items) report.items.push_back(std::move(item));
}

// Whether the configured sweeps fit hubspot.rate_limit.daily_share at the portal's lead count (the
// daemon plans the same way from its own measured runs, and stretches the sweeps when they do not fit).
net::awaitable<void> check_budget(Runtime& rt, CheckReport& report) {
  const auto& cfg = rt.config();
  CheckItem item{Status::ok, "hubspot", "API budget", ""};
  try {
    hubspot::SearchRequest req;
    req.limit = 1;
    req.properties = {"hs_lastmodifieddate"};
    const auto page = co_await rt.client().search(std::move(req));
    core::ApiUsage usage;
    usage.synced_leads = page.total;
    const auto budget = api_budget_report(cfg, usage, std::nullopt);
    if (budget.daily_budget <= 0) {
      item.detail = "no daily budget (hubspot.rate_limit.daily: 0)";
    } else if (budget.plan.stretched()) {
      item.status = Status::warn;
      item.detail = std::to_string(usage.synced_leads) + " leads: ";
      for (std::size_t i = 0; i < budget.plan_lines.size(); ++i)
        item.detail += (i ? "; " : "") + budget.plan_lines[i];
    } else {
      item.detail = std::to_string(usage.synced_leads) + " leads: the sweeps need about " +
                    std::to_string(budget.plan.at_configured.total) + " calls/day, within the share of " +
                    std::to_string(budget.plan.allowed) + " (" +
                    std::to_string(cfg.hubspot.rate_limit.daily_share) + "% of " +
                    std::to_string(budget.daily_budget) + ")";
    }
  } catch (const core::Error& e) {
    item.status = Status::fail;
    item.detail = e.what();
    if (is_unreachable(e)) report.unreachable = true;
  }
  report.items.push_back(std::move(item));
}

net::awaitable<void> check_hubspot(Runtime& rt, CheckReport& report) {
  const auto& cfg = rt.config();
  std::vector<hubspot::PropertyDefinition> properties;
  try {
    properties = co_await rt.client().list_properties();
  } catch (const core::Error& e) {
    report.items.push_back({Status::fail, "hubspot", "connection", e.what()});
    if (is_unreachable(e)) report.unreachable = true;
    co_return;
  }
  report.items.push_back(
      {Status::ok, "hubspot", "connection",
       cfg.hubspot.base_url + " answered: " + std::to_string(properties.size()) + " lead properties"});
  for (auto& item : check_properties(cfg, properties)) report.items.push_back(std::move(item));
  co_await check_rules(rt, report);
  for (const auto& a : cfg.associations) {
    CheckItem item{Status::ok, "hubspot", "associations to " + a.to_object_type, ""};
    try {
      auto labels = co_await rt.client().association_labels(a.to_object_type);
      std::vector<std::string> unknown;
      for (int id : a.association_type_ids) {
        bool found = false;
        for (const auto& l : labels) found = found || l.type_id == id;
        if (!found) unknown.push_back(std::to_string(id));
      }
      if (unknown.empty()) {
        item.detail = "association types known to HubSpot";
      } else {
        item.status = Status::fail;
        std::string list;
        for (const auto& u : unknown) list += (list.empty() ? "" : ", ") + u;
        item.detail = "HubSpot has no lead -> " + a.to_object_type + " association type " + list;
      }
    } catch (const core::Error& e) {
      item.status = Status::fail;
      item.detail = e.what();
      if (is_unreachable(e)) report.unreachable = true;
    }
    report.items.push_back(std::move(item));
  }
  co_await check_budget(rt, report);
  const auto version = api_version_notice(cfg);
  report.items.push_back({version.warning ? Status::warn : Status::ok, "hubspot", "API version",
                          version.warning
                              ? *version.warning
                              : version.version + ", supported by HubSpot until " +
                                    (version.estimated ? "about " : "") + version.end_of_support});
  // What HubSpot's own answers to the calls above announced (Deprecation / Sunset headers), if anything.
  for (const auto& [v, notice] : rt.client().deprecation_notices())
    report.items.push_back(
        {Status::warn, "hubspot", "API deprecation notice", hubspot::describe_deprecation(v, notice)});
}

void check_postgresql(Runtime& rt, CheckReport& report) {
  const auto mapping = to_mapping(rt.config());
  db::SchemaInspection s;
  try {
    s = db::inspect_schema(rt.dsn(), mapping, rt.migrations_dir());
  } catch (const core::Error& e) {
    report.items.push_back({Status::fail, "postgresql", "connection", e.what()});
    if (e.is_transient()) report.unreachable = true;
    return;
  }
  report.items.push_back(
      {Status::ok, "postgresql", "connection", "PostgreSQL " + s.server_version + " answered"});
  for (const auto& p : s.migration_problems)
    report.items.push_back({Status::fail, "postgresql", "migrations", p});
  if (s.migration_problems.empty()) {
    if (s.pending.empty())
      report.items.push_back({Status::ok, "postgresql", "migrations",
                              std::to_string(s.applied.size()) + " applied, none pending"});
    else
      report.items.push_back({Status::warn, "postgresql", "migrations",
                              std::to_string(s.pending.size()) + " pending (applied at the next start): " +
                                  s.pending.front() + (s.pending.size() > 1 ? " ..." : "")});
  }
  const std::string scope = mapping.qualified_table();
  if (!s.table_exists && s.differences.empty())
    report.items.push_back(
        {Status::warn, "postgresql", "table " + scope, "does not exist yet: created at the next start"});
  else if (s.differences.empty())
    report.items.push_back({Status::ok, "postgresql", "table " + scope, "fits the mapping"});
  for (const auto& d : s.differences)
    report.items.push_back({Status::fail, "postgresql", "table " + scope, d});
  for (const auto& c : s.missing_columns)
    report.items.push_back(
        {Status::warn, "postgresql", "column " + c, "missing: added at the next start (then backfilled)"});
  if (s.table_exists && !s.associations_table_exists)
    report.items.push_back(
        {Status::warn, "postgresql", "associations table", "does not exist yet: created at the next start"});
  for (const auto& t : s.missing_triggers)
    report.items.push_back({Status::warn, "postgresql", "trigger", t + ": created at the next start"});
}

}  // namespace

CheckReport run_online_check(Runtime& rt) {
  CheckReport report;
  check_postgresql(rt, report);
  rt.run_blocking(check_hubspot(rt, report));
  return report;
}

void print_check_report(const std::string& config_path, const config::AppConfig& cfg,
                        const CheckReport& report, OutputFormat format) {
  int fails = 0, warns = 0;
  for (const auto& i : report.items) {
    if (i.status == Status::fail) ++fails;
    if (i.status == Status::warn) ++warns;
  }
  if (format == OutputFormat::json) {
    nlohmann::json j;
    j["config"] = config_path;
    j["table"] = cfg.database.qualified_table();
    j["checks"] = nlohmann::json::array();
    for (const auto& i : report.items)
      j["checks"].push_back({{"area", i.area},
                             {"status", i.status == Status::fail ? "fail" : status_name(i.status)},
                             {"check", i.check},
                             {"detail", i.detail}});
    j["failures"] = fails;
    j["warnings"] = warns;
    j["exit_code"] = report.exit_code();
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("configuration OK: %s (table %s, %zu mapped properties)\n", config_path.c_str(),
              cfg.database.qualified_table().c_str(), cfg.mappings.size());
  std::string area;
  for (const auto& i : report.items) {
    if (i.area != area) {
      area = i.area;
      std::printf("\n%s\n", area == "postgresql" ? "PostgreSQL" : "HubSpot");
    }
    std::printf("  %-4s  %s: %s\n", status_name(i.status), i.check.c_str(), i.detail.c_str());
  }
  std::printf("\n%s: %d problem(s), %d warning(s)\n", fails ? "NOT OK" : "OK", fails, warns);
}

}  // namespace leadsync::daemon
