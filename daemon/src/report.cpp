#include "report.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>

#include "leadsync/hubspot/deprecation_notice.hpp"

namespace leadsync::daemon {

namespace {
std::string show(const core::Value& v) {
  return v ? "'" + *v + "'" : "(empty)";
}
}  // namespace

void print_cycle_summary(const core::CycleReport& report) {
  const auto& r = report.record;
  const auto& n = r.counts;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.finished_at - r.started_at).count();
  std::printf("sync %s (%s) in %.1f s\n", r.status.c_str(), r.mode.c_str(), static_cast<double>(ms) / 1000.0);
  std::printf("  HubSpot -> PostgreSQL: %lld pulled, %lld created, %lld updated, %lld deleted/archived\n",
              static_cast<long long>(n.pulled), static_cast<long long>(n.created_local),
              static_cast<long long>(n.updated_local), static_cast<long long>(n.deleted_local));
  std::printf("  PostgreSQL -> HubSpot: %lld pushed (%lld created, %lld updated, %lld deleted)\n",
              static_cast<long long>(n.pushed), static_cast<long long>(n.created_remote),
              static_cast<long long>(n.updated_remote), static_cast<long long>(n.deleted_remote));
  std::printf("  conflicts %lld, failed %lld, echoes suppressed %lld, API calls %lld\n",
              static_cast<long long>(n.conflicts), static_cast<long long>(n.failed),
              static_cast<long long>(n.echoes_suppressed), static_cast<long long>(n.api_calls));
  if (report.skipped_bad_id > 0)
    std::printf("  skipped %lld lead(s) whose id is not a HubSpot record id (digits only); see the log\n",
                static_cast<long long>(report.skipped_bad_id));
  if (!r.error.empty()) std::printf("  error: %s\n", r.error.c_str());
}

namespace {

nlohmann::json jvalue(const core::Value& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

std::string cell(std::string text, std::size_t max = 40) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > max) text = text.substr(0, max - 3) + "...";
  return text;
}

// A plain text table: every row has the same number of cells; columns padded to the widest cell.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& r : rows)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string out = "  ";
    for (std::size_t i = 0; i < r.size(); ++i) {
      out += r[i];
      if (i + 1 < r.size()) out += std::string(width[i] - r[i].size() + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::printf("%s\n", out.c_str());
  };
  line(header);
  for (const auto& r : rows) line(r);
}

std::string column_of(const core::SyncMapping& mapping, const std::string& property) {
  const auto* p = mapping.find_property(property);
  return p ? p->column : property;
}

}  // namespace

namespace {

struct DryRunCounts {
  std::size_t creates_local = 0, updates_local = 0, skips = 0, conflicts = 0, creates_remote = 0,
              updates_remote = 0, archives_remote = 0, failures = 0;
};

DryRunCounts count_plan(const core::DryRunPlan& plan) {
  DryRunCounts c;
  for (const auto& p : plan.pull) {
    if (p.action == core::PullAction::create_local) ++c.creates_local;
    if (p.action == core::PullAction::update_local) ++c.updates_local;
    if (p.action == core::PullAction::skip) ++c.skips;
    c.conflicts += p.conflicts.size();
  }
  for (const auto& [item, p] : plan.push) {
    if (!p.failure.empty())
      ++c.failures;
    else if (p.action == core::PushAction::create)
      ++c.creates_remote;
    else if (p.action == core::PushAction::update)
      ++c.updates_remote;
    else if (p.action == core::PushAction::archive)
      ++c.archives_remote;
  }
  return c;
}

// The value PostgreSQL holds now for a lead's property (the OLD column of a pull).
class LocalValues {
 public:
  explicit LocalValues(const std::map<std::string, core::PropertyValues>& local) : local_(local) {}
  core::Value operator()(const std::string& hubspot_id, const std::string& property) const {
    auto it = local_.find(hubspot_id);
    if (it == local_.end()) return std::nullopt;
    auto v = it->second.find(property);
    return v == it->second.end() ? std::nullopt : v->second;
  }

 private:
  const std::map<std::string, core::PropertyValues>& local_;
};

void print_dry_run_json(const core::DryRunPlan& plan, const core::SyncMapping& mapping,
                        const LocalValues& local_old, const DryRunCounts& c) {
  nlohmann::json j;
  j["dry_run"] = true;
  j["summary"] = {{"create_local", c.creates_local},
                  {"update_local", c.updates_local},
                  {"skip", c.skips},
                  {"conflicts", c.conflicts},
                  {"create_remote", c.creates_remote},
                  {"update_remote", c.updates_remote},
                  {"archive_remote", c.archives_remote},
                  {"would_fail", c.failures},
                  {"remote_deletes", plan.remote_deletes.size()}};
  j["pull"] = nlohmann::json::array();
  for (const auto& p : plan.pull) {
    nlohmann::json e{{"hubspot_id", p.hubspot_id}, {"action", core::to_string(p.action)}};
    if (p.row_id) e["row_id"] = *p.row_id;
    e["changes"] = nlohmann::json::array();
    for (const auto& [k, v] : p.local_updates)
      e["changes"].push_back({{"property", k},
                              {"column", column_of(mapping, k)},
                              {"old", jvalue(local_old(p.hubspot_id, k))},
                              {"new", jvalue(v)}});
    for (const auto& a : p.local_assoc_add) e["associations_add"].push_back(core::to_string(a));
    for (const auto& a : p.local_assoc_remove) e["associations_remove"].push_back(core::to_string(a));
    if (p.set_archived) e["set_archived"] = *p.set_archived;
    for (const auto& conflict : p.conflicts)
      e["conflicts"].push_back({{"property", conflict.property},
                                {"base", jvalue(conflict.base)},
                                {"local", jvalue(conflict.local)},
                                {"remote", jvalue(conflict.remote)},
                                {"winner", conflict.winner ? core::to_string(*conflict.winner) : "manual"}});
    if (!p.skip_reason.empty()) e["skip_reason"] = p.skip_reason;
    j["pull"].push_back(e);
  }
  j["push"] = nlohmann::json::array();
  for (const auto& [item, p] : plan.push) {
    nlohmann::json e{{"row_id", item.lead_id}, {"action", core::to_string(p.action)}};
    if (!p.hubspot_id.empty()) e["hubspot_id"] = p.hubspot_id;
    const core::BaseState* base = item.context.base ? &*item.context.base : nullptr;
    e["changes"] = nlohmann::json::array();
    for (const auto& [k, v] : p.properties) {
      core::Value old = base && base->values.contains(k) ? base->values.at(k) : std::nullopt;
      e["changes"].push_back({{"property", k}, {"old", jvalue(old)}, {"new", jvalue(v)}});
    }
    for (const auto& a : p.assoc_add) e["associations_add"].push_back(core::to_string(a));
    for (const auto& a : p.assoc_remove) e["associations_remove"].push_back(core::to_string(a));
    if (!p.failure.empty()) e["failure"] = p.failure;
    if (!p.reason.empty()) e["reason"] = p.reason;
    j["push"].push_back(e);
  }
  j["remote_deletes"] = plan.remote_deletes;
  std::printf("%s\n", j.dump(2).c_str());
}

void print_pull_table(const core::DryRunPlan& plan, const core::SyncMapping& mapping,
                      const LocalValues& local_old) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : plan.pull) {
    std::string action = core::to_string(p.action);
    if (p.action == core::PullAction::none && !p.conflicts.empty()) action = "conflict";
    std::vector<std::string> first{
        p.hubspot_id,           p.row_id ? std::to_string(*p.row_id) : "(new)", action, "", "", "",
        cell(p.skip_reason, 60)};
    bool used = false;
    auto add = [&](std::string field, std::string old_value, std::string new_value, std::string note = {}) {
      if (!used) {
        first[3] = std::move(field), first[4] = std::move(old_value), first[5] = std::move(new_value);
        if (!note.empty()) first[6] = std::move(note);
        rows.push_back(first);
        used = true;
      } else {
        rows.push_back(
            {"", "", "", std::move(field), std::move(old_value), std::move(new_value), std::move(note)});
      }
    };
    for (const auto& [k, v] : p.local_updates)
      add(column_of(mapping, k), cell(show(local_old(p.hubspot_id, k))), cell(show(v)));
    for (const auto& a : p.local_assoc_add) add("+association", "", core::to_string(a));
    for (const auto& a : p.local_assoc_remove) add("-association", core::to_string(a), "");
    if (p.set_archived)
      add("archived", *p.set_archived ? "false" : "true", *p.set_archived ? "true" : "false");
    for (const auto& c : p.conflicts)
      add(column_of(mapping, c.property), "local " + cell(show(c.local), 30),
          "remote " + cell(show(c.remote), 30),
          c.winner ? std::string("conflict: ") + core::to_string(*c.winner) + " wins"
                   : "conflict: manual, untouched");
    if (!used) rows.push_back(first);
  }
  print_table({"LEAD", "ROW", "ACTION", "COLUMN", "OLD (PostgreSQL)", "NEW (from HubSpot)", "NOTE"}, rows);
}

void print_push_table(const core::DryRunPlan& plan) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [item, p] : plan.push) {
    const core::BaseState* base = item.context.base ? &*item.context.base : nullptr;
    std::vector<std::string> first{std::to_string(item.lead_id),
                                   p.hubspot_id.empty() ? "(new)" : p.hubspot_id,
                                   p.failure.empty() ? core::to_string(p.action) : "FAIL",
                                   "",
                                   "",
                                   "",
                                   cell(p.failure.empty() ? p.reason : p.failure, 60)};
    bool used = false;
    auto add = [&](std::string field, std::string old_value, std::string new_value) {
      if (!used) {
        first[3] = std::move(field), first[4] = std::move(old_value), first[5] = std::move(new_value);
        rows.push_back(first);
        used = true;
      } else {
        rows.push_back({"", "", "", std::move(field), std::move(old_value), std::move(new_value), ""});
      }
    };
    for (const auto& [k, v] : p.properties) {
      core::Value old = base && base->values.contains(k) ? base->values.at(k) : std::nullopt;
      add(k, cell(show(old)), cell(show(v)));
    }
    for (const auto& a : p.assoc_add) add("+association", "", core::to_string(a));
    for (const auto& a : p.assoc_remove) add("-association", core::to_string(a), "");
    if (!used) rows.push_back(first);
  }
  print_table({"ROW", "LEAD", "ACTION", "PROPERTY", "OLD (HubSpot)", "NEW (from PostgreSQL)", "NOTE"}, rows);
}

}  // namespace

void print_dry_run(const core::DryRunPlan& plan, const core::SyncMapping& mapping,
                   const std::map<std::string, core::PropertyValues>& local, OutputFormat format) {
  const LocalValues local_old(local);
  const DryRunCounts c = count_plan(plan);
  if (format == OutputFormat::json) return print_dry_run_json(plan, mapping, local_old, c);

  std::printf("DRY RUN: nothing was changed in PostgreSQL or HubSpot.\n\n");
  std::printf("HubSpot -> PostgreSQL: %zu create(s), %zu update(s), %zu skipped, %zu conflict(s)\n",
              c.creates_local, c.updates_local, c.skips, c.conflicts);
  if (!plan.pull.empty()) print_pull_table(plan, mapping, local_old);
  std::printf("\nPostgreSQL -> HubSpot: %zu create(s), %zu update(s), %zu delete(s), %zu would fail\n",
              c.creates_remote, c.updates_remote, c.archives_remote, c.failures);
  if (!plan.push.empty()) print_push_table(plan);
  std::printf("\nDeleted in HubSpot: %zu lead(s)\n", plan.remote_deletes.size());
  for (const auto& id : plan.remote_deletes) std::printf("  lead %s\n", id.c_str());
}

std::string format_epoch_ms(const std::string& value) {
  if (value.empty() || value.find_first_not_of("0123456789") != std::string::npos || value.size() > 15)
    return value;
  const auto ms = std::stoll(value);
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
  return buf;
}

std::optional<std::string> announced_deprecation(hubspot::ApiVersion version, std::string_view recorded) {
  const auto notice = hubspot::decode_deprecation_notice(recorded);
  if (!notice) return std::nullopt;
  const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now() -
                                                                         notice->last_seen);
  return hubspot::describe_deprecation(version, *notice) + " (last sent " + age_text(std::max(age, {})) +
         " ago)";
}

std::string age_text(std::chrono::milliseconds age) {
  const auto s = std::max<std::int64_t>(0, age.count() / 1000);
  if (s < 120) return std::to_string(s) + " s";
  if (s < std::int64_t{2} * 3600) return std::to_string(s / 60) + " min";
  if (s < std::int64_t{2} * 86400) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " d";
}

namespace {

// sync_state keys holding epoch-ms times.
bool is_time_key(const std::string& key) {
  return key == core::kStateWatermark || key == core::kStateLastFullSweep ||
         key == core::kStateLastMaintenance || key == core::kStateSweepStarted ||
         key == "hubspot.budget_reported_at" || key == "hubspot.daily_exhausted_until";
}

std::string state_value(const db::StoreStatus& s, const std::string& key) {
  for (const auto& [k, v] : s.state)
    if (k == key) return v;
  return "";
}

}  // namespace

namespace {

// What HubSpot last reported of the daily budget, as cycles recorded it in sync_state.
struct BudgetState {
  std::string daily_remaining, daily_max, reported, exhausted;
  explicit BudgetState(const db::StoreStatus& s)
      : daily_remaining(state_value(s, "hubspot.daily_remaining")),
        daily_max(state_value(s, "hubspot.daily_max")),
        reported(state_value(s, "hubspot.budget_reported_at")),
        exhausted(state_value(s, "hubspot.daily_exhausted_until")) {}
};

nlohmann::json api_json(const ApiBudgetReport& api) {
  nlohmann::json calls = nlohmann::json::object(), projected = nlohmann::json::object();
  for (std::size_t i = 0; i < core::kApiActivityCount; ++i) {
    const char* name = core::to_string(static_cast<core::ApiActivity>(i));
    calls[name] = api.usage.calls[i];
    projected[name] = api.projection.calls[i];
  }
  calls["unattributed"] = api.usage.unattributed;
  nlohmann::json j{{"calls_24h", calls},
                   {"covered_seconds", api.usage.covered.count()},
                   {"projected_daily_calls", api.projection.total},
                   {"projected_daily_calls_by_activity", projected},
                   {"daily_budget", api.daily_budget},
                   {"daily_budget_source", api.budget_source}};
  const auto share = api.share_percent();
  j["projected_budget_share_percent"] = share ? nlohmann::json(*share) : nlohmann::json(nullptr);
  const auto seconds = [](std::chrono::milliseconds d) { return d.count() / 1000; };
  j["version"] = {
      {"version", api.version.version},
      {"end_of_support", api.version.end_of_support},
      {"end_of_support_estimated", api.version.estimated},
      {"warning", api.version.warning ? nlohmann::json(*api.version.warning) : nlohmann::json()},
      {"announced", api.version.announced ? nlohmann::json(*api.version.announced) : nlohmann::json()}};
  j["planned_sweeps"] = {
      {"allowed_daily_calls", api.plan.allowed},
      {"stretched", api.plan.stretched()},
      {"fits", api.plan.fits()},
      {"full_sweep_interval_seconds", seconds(api.plan.planned.full_sweep_interval)},
      {"association_sweep_interval_seconds", seconds(api.plan.planned.association_sweep_interval)},
      {"configured_daily_calls", api.plan.at_configured.total}};
  return j;
}

void print_api_text(const ApiBudgetReport& api) {
  std::printf("  HubSpot API: version %s, supported until %s%s\n", api.version.version.c_str(),
              api.version.estimated ? "about " : "", api.version.end_of_support.c_str());
  if (api.version.warning) std::printf("    WARNING: %s\n", api.version.warning->c_str());
  if (api.version.announced) std::printf("    WARNING: %s\n", api.version.announced->c_str());
  std::int64_t total = api.usage.unattributed;
  for (auto c : api.usage.calls) total += c;
  const auto covered_min = api.usage.covered.count() / 60;
  std::printf("  API calls, last 24 h: %lld (runs of the last %lld h %02lld min)\n",
              static_cast<long long>(total), static_cast<long long>(covered_min / 60),
              static_cast<long long>(covered_min % 60));
  std::string split;
  for (std::size_t i = 0; i < core::kApiActivityCount; ++i) {
    if (api.usage.calls[i] == 0) continue;
    split += (split.empty() ? "" : ", ") + std::string(core::to_string(static_cast<core::ApiActivity>(i))) +
             " " + std::to_string(api.usage.calls[i]);
  }
  if (api.usage.unattributed)
    split +=
        (split.empty() ? "" : ", ") + std::string("unattributed ") + std::to_string(api.usage.unattributed);
  if (!split.empty()) std::printf("    by activity: %s\n", split.c_str());
  const auto share = api.share_percent();
  if (share)
    std::printf(
        "    projected next 24 h at this schedule: %lld calls, %.1f %% of the daily budget of %lld (%s)\n",
        static_cast<long long>(api.projection.total), *share, static_cast<long long>(api.daily_budget),
        api.budget_source.c_str());
  else
    std::printf("    projected next 24 h at this schedule: %lld calls (no daily budget)\n",
                static_cast<long long>(api.projection.total));
  for (const auto& line : api.plan_lines) std::printf("    budget plan: %s\n", line.c_str());
}

nlohmann::json epoch_json(const std::optional<std::int64_t>& ms) {
  return ms ? nlohmann::json(format_epoch_ms(std::to_string(*ms))) : nlohmann::json(nullptr);
}

nlohmann::json webhooks_json(const db::InboxStatus& inbox, bool enabled) {
  if (!enabled) return {{"enabled", false}};
  return {{"enabled", true},
          {"unapplied", inbox.unapplied},
          {"oldest_unapplied_received_at", epoch_json(inbox.oldest_unapplied_ms)},
          {"oldest_unapplied_age_seconds", inbox.oldest_unapplied_age_ms
                                               ? nlohmann::json(*inbox.oldest_unapplied_age_ms / 1000)
                                               : nlohmann::json(nullptr)},
          {"last_received_at", epoch_json(inbox.last_received_ms)},
          {"last_applied_at", epoch_json(inbox.last_applied_ms)},
          {"received_24h", inbox.received_24h}};
}

void print_webhooks_text(const db::InboxStatus& inbox, bool enabled) {
  if (!enabled) {
    std::printf("  webhooks:  off\n");
    return;
  }
  auto at = [](const std::optional<std::int64_t>& ms) {
    return ms ? format_epoch_ms(std::to_string(*ms)) : std::string("none in the inbox");
  };
  std::printf("  webhooks:  on\n");
  if (inbox.unapplied == 0)
    std::printf("    waiting to be applied: none\n");
  else
    std::printf("    waiting to be applied: %lld event(s), the oldest received %s ago\n",
                static_cast<long long>(inbox.unapplied),
                age_text(std::chrono::milliseconds(inbox.oldest_unapplied_age_ms.value_or(0))).c_str());
  std::printf("    last received:         %s\n", at(inbox.last_received_ms).c_str());
  std::printf("    last applied:          %s\n", at(inbox.last_applied_ms).c_str());
  std::printf("    received, last 24 h:   %lld event(s)\n", static_cast<long long>(inbox.received_24h));
}

void print_status_json(const std::string& scope, const db::StoreStatus& s,
                       const std::optional<db::LockHolder>& leader, const ApiBudgetReport& api,
                       bool webhooks_enabled) {
  const BudgetState b(s);
  nlohmann::json j;
  j["scope"] = scope;
  if (leader)
    j["daemon"] = {{"active", true},
                   {"backend_pid", leader->pid},
                   {"application_name", leader->application_name},
                   {"client", leader->client},
                   {"since", leader->since}};
  else
    j["daemon"] = {{"active", false}};
  j["state"] = nlohmann::json::object();
  for (const auto& [k, v] : s.state) j["state"][k] = is_time_key(k) ? format_epoch_ms(v) : v;
  j["changes"] = {{"new", s.changes_new}, {"pending", s.changes_pending}, {"failed", s.changes_failed}};
  j["open_conflicts"] = s.open_conflicts;
  j["webhooks"] = webhooks_json(s.inbox, webhooks_enabled);
  j["rows"] = {{"total", s.rows}, {"linked", s.rows_linked}, {"archived", s.rows_archived}};
  nlohmann::json budget = nlohmann::json::object();
  if (!b.daily_remaining.empty()) budget["daily_remaining"] = std::stoll(b.daily_remaining);
  if (!b.daily_max.empty()) budget["daily_max"] = std::stoll(b.daily_max);
  if (!b.reported.empty()) budget["reported_at"] = format_epoch_ms(b.reported);
  budget["daily_exhausted_until"] =
      b.exhausted.empty() ? nlohmann::json(nullptr) : nlohmann::json(format_epoch_ms(b.exhausted));
  j["hubspot_budget"] = budget;
  j["api"] = api_json(api);
  j["runs"] = nlohmann::json::array();
  for (const auto& r : s.last_runs)
    j["runs"].push_back({{"id", r.id},
                         {"mode", r.mode},
                         {"status", r.status},
                         {"started_at", r.started_at},
                         {"finished_at", r.finished_at},
                         {"duration_ms", r.duration_ms},
                         {"pulled", r.counts.pulled},
                         {"pushed", r.counts.pushed},
                         {"created_local", r.counts.created_local},
                         {"updated_local", r.counts.updated_local},
                         {"deleted_local", r.counts.deleted_local},
                         {"created_remote", r.counts.created_remote},
                         {"updated_remote", r.counts.updated_remote},
                         {"deleted_remote", r.counts.deleted_remote},
                         {"conflicts", r.counts.conflicts},
                         {"failed", r.counts.failed},
                         {"echoes_suppressed", r.counts.echoes_suppressed},
                         {"api_calls", r.counts.api_calls},
                         {"error", r.error}});
  j["recent_failures"] = nlohmann::json::array();
  for (const auto& f : s.recent_failures)
    j["recent_failures"].push_back({{"lead_id", f.lead_id},
                                    {"op", f.op},
                                    {"error", f.error},
                                    {"http_status", f.http_status},
                                    {"correlation_id", f.correlation_id}});
  std::printf("%s\n", j.dump(2).c_str());
}

void print_budget_text(const db::StoreStatus& s) {
  const BudgetState b(s);
  if (!b.daily_remaining.empty())
    std::printf("  HubSpot API budget: %s of %s daily calls left (reported %s)\n", b.daily_remaining.c_str(),
                b.daily_max.empty() ? "?" : b.daily_max.c_str(), format_epoch_ms(b.reported).c_str());
  else
    std::printf("  HubSpot API budget: not reported yet\n");
  if (!b.exhausted.empty()) {
    // Recorded by the last cycle; a reset that has passed since means the budget is back.
    const bool ahead = b.exhausted.find_first_not_of("0123456789") != std::string::npos ||
                       b.exhausted.size() > 15 ||
                       std::stoll(b.exhausted) > std::chrono::duration_cast<std::chrono::milliseconds>(
                                                     std::chrono::system_clock::now().time_since_epoch())
                                                     .count();
    if (ahead)
      std::printf(
          "  daily budget EXHAUSTED (HubSpot answered 429 DAILY): no HubSpot calls until the daily reset at "
          "%s\n",
          format_epoch_ms(b.exhausted).c_str());
    else
      std::printf("  daily budget: exhausted until %s, reset since (the next cycle calls HubSpot again)\n",
                  format_epoch_ms(b.exhausted).c_str());
  }
}

void print_status_text(const std::string& scope, const db::StoreStatus& s,
                       const std::optional<db::LockHolder>& leader, const ApiBudgetReport& api,
                       bool webhooks_enabled) {
  std::printf("leadsync status of %s\n", scope.c_str());
  if (leader)
    std::printf("  daemon:    active (PostgreSQL backend %d, %s%s%s, since %s)\n", leader->pid,
                leader->application_name.c_str(), leader->client.empty() ? "" : " from ",
                leader->client.c_str(), leader->since.c_str());
  else
    std::printf("  daemon:    none holds the leader lock (not running, or starting)\n");
  std::printf("  rows:      %lld (%lld linked to HubSpot, %lld archived)\n", static_cast<long long>(s.rows),
              static_cast<long long>(s.rows_linked), static_cast<long long>(s.rows_archived));
  std::printf("  outbox:    %lld new, %lld pending, %lld failed%s\n", static_cast<long long>(s.changes_new),
              static_cast<long long>(s.changes_pending), static_cast<long long>(s.changes_failed),
              s.changes_failed ? " (leadsync --retry-failed requeues them)" : "");
  std::printf("  conflicts: %lld open (manual policy)\n", static_cast<long long>(s.open_conflicts));
  std::printf("  watermark: %s\n", state_value(s, core::kStateWatermark).empty()
                                       ? "none yet (the first cycle is a full sweep)"
                                       : format_epoch_ms(state_value(s, core::kStateWatermark)).c_str());
  const auto last_full = state_value(s, core::kStateLastFullSweep);
  std::printf("  last full sweep: %s\n", last_full.empty() ? "never" : format_epoch_ms(last_full).c_str());
  if (!state_value(s, core::kStateSweepId).empty())
    std::printf("  full sweep in progress since %s (resumes where it stopped)\n",
                format_epoch_ms(state_value(s, core::kStateSweepStarted)).c_str());
  print_webhooks_text(s.inbox, webhooks_enabled);
  print_budget_text(s);
  print_api_text(api);
  std::printf("\nlast runs:\n");
  if (s.last_runs.empty()) std::printf("  none yet\n");
  for (const auto& r : s.last_runs)
    std::printf(
        "  #%lld %-11s %-9s %s %6.1fs  pulled %lld, pushed %lld, conflicts %lld, failed %lld, API calls "
        "%lld%s\n",
        static_cast<long long>(r.id), r.mode.c_str(), r.status.c_str(), r.started_at.c_str(),
        static_cast<double>(r.duration_ms) / 1000.0, static_cast<long long>(r.counts.pulled),
        static_cast<long long>(r.counts.pushed), static_cast<long long>(r.counts.conflicts),
        static_cast<long long>(r.counts.failed), static_cast<long long>(r.counts.api_calls),
        r.error.empty() ? "" : ("\n      error: " + r.error).c_str());
  if (!s.recent_failures.empty()) {
    std::printf("\nfailed changes (newest first):\n");
    for (const auto& f : s.recent_failures)
      std::printf("  row %lld %s: %s%s%s\n", static_cast<long long>(f.lead_id), f.op.c_str(), f.error.c_str(),
                  f.http_status ? (" (HTTP " + std::to_string(f.http_status) + ")").c_str() : "",
                  f.correlation_id.empty() ? "" : (" correlation id " + f.correlation_id).c_str());
  }
  std::printf("\nstate:\n");
  for (const auto& [k, v] : s.state)
    if (!v.empty())
      std::printf("  %-30s %s\n", k.c_str(),
                  (is_time_key(k) ? format_epoch_ms(v) : v.substr(0, 100)).c_str());
}

}  // namespace

void print_status(const std::string& scope, const db::StoreStatus& s,
                  const std::optional<db::LockHolder>& leader, const ApiBudgetReport& api,
                  bool webhooks_enabled, OutputFormat format) {
  if (format == OutputFormat::json)
    print_status_json(scope, s, leader, api, webhooks_enabled);
  else
    print_status_text(scope, s, leader, api, webhooks_enabled);
}

}  // namespace leadsync::daemon
