#include "report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace leadsync::daemon {

namespace {
std::string show(const core::Value& v) { return v ? "'" + *v + "'" : "(empty)"; }
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
  if (!r.error.empty()) std::printf("  error: %s\n", r.error.c_str());
}

void print_dry_run(const core::DryRunPlan& plan, const core::SyncMapping&, OutputFormat format) {
  if (format == OutputFormat::json) {
    nlohmann::json j;
    j["pull"] = nlohmann::json::array();
    for (const auto& p : plan.pull) {
      nlohmann::json e{{"hubspot_id", p.hubspot_id}, {"action", core::to_string(p.action)}};
      for (const auto& [k, v] : p.local_updates) e["set"][k] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      for (const auto& c : p.conflicts)
        e["conflicts"].push_back({{"property", c.property},
                                  {"local", c.local ? nlohmann::json(*c.local) : nlohmann::json(nullptr)},
                                  {"remote", c.remote ? nlohmann::json(*c.remote) : nlohmann::json(nullptr)},
                                  {"winner", c.winner ? core::to_string(*c.winner) : "manual"}});
      if (!p.skip_reason.empty()) e["skip_reason"] = p.skip_reason;
      j["pull"].push_back(e);
    }
    j["push"] = nlohmann::json::array();
    for (const auto& [item, p] : plan.push) {
      nlohmann::json e{{"lead_id", item.lead_id}, {"action", core::to_string(p.action)}};
      if (!p.hubspot_id.empty()) e["hubspot_id"] = p.hubspot_id;
      for (const auto& [k, v] : p.properties) e["set"][k] = v ? nlohmann::json(*v) : nlohmann::json(nullptr);
      if (!p.failure.empty()) e["failure"] = p.failure;
      j["push"].push_back(e);
    }
    j["remote_deletes"] = plan.remote_deletes;
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("dry run: nothing was changed on either side\n\nHubSpot -> PostgreSQL (%zu)\n", plan.pull.size());
  for (const auto& p : plan.pull) {
    std::printf("  lead %s: %s%s\n", p.hubspot_id.c_str(), core::to_string(p.action),
                p.skip_reason.empty() ? "" : (" (" + p.skip_reason + ")").c_str());
    for (const auto& [k, v] : p.local_updates) std::printf("      %s := %s\n", k.c_str(), show(v).c_str());
    for (const auto& c : p.conflicts)
      std::printf("      conflict %s: local %s, remote %s -> %s\n", c.property.c_str(), show(c.local).c_str(),
                  show(c.remote).c_str(), c.winner ? core::to_string(*c.winner) : "manual (untouched)");
  }
  std::printf("\nPostgreSQL -> HubSpot (%zu)\n", plan.push.size());
  for (const auto& [item, p] : plan.push) {
    std::printf("  row %lld: %s%s%s\n", static_cast<long long>(item.lead_id), core::to_string(p.action),
                p.hubspot_id.empty() ? "" : (" lead " + p.hubspot_id).c_str(),
                p.failure.empty() ? "" : (" — would fail: " + p.failure).c_str());
    const core::BaseState* base = item.context.base ? &*item.context.base : nullptr;
    for (const auto& [k, v] : p.properties) {
      core::Value old = base && base->values.contains(k) ? base->values.at(k) : std::nullopt;
      std::printf("      %s: %s -> %s\n", k.c_str(), show(old).c_str(), show(v).c_str());
    }
    for (const auto& a : p.assoc_add) std::printf("      + association %s\n", core::to_string(a).c_str());
    for (const auto& a : p.assoc_remove) std::printf("      - association %s\n", core::to_string(a).c_str());
  }
  std::printf("\nremote deletes (%zu)\n", plan.remote_deletes.size());
  for (const auto& id : plan.remote_deletes) std::printf("  lead %s\n", id.c_str());
}

void print_status(const db::StoreStatus& s, OutputFormat format) {
  if (format == OutputFormat::json) {
    nlohmann::json j;
    for (const auto& [k, v] : s.state) j["state"][k] = v;
    j["changes"] = {{"new", s.changes_new}, {"pending", s.changes_pending}, {"failed", s.changes_failed}};
    j["open_conflicts"] = s.open_conflicts;
    j["rows"] = {{"total", s.rows}, {"linked", s.rows_linked}, {"archived", s.rows_archived}};
    j["runs"] = nlohmann::json::array();
    for (const auto& r : s.last_runs)
      j["runs"].push_back({{"id", r.id}, {"mode", r.mode}, {"status", r.status}, {"started_at", r.started_at},
                           {"duration_ms", r.duration_ms}, {"pulled", r.counts.pulled}, {"pushed", r.counts.pushed},
                           {"conflicts", r.counts.conflicts}, {"failed", r.counts.failed},
                           {"api_calls", r.counts.api_calls}, {"error", r.error}});
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("rows: %lld (%lld linked to HubSpot, %lld archived)\n", static_cast<long long>(s.rows),
              static_cast<long long>(s.rows_linked), static_cast<long long>(s.rows_archived));
  std::printf("outbox: %lld new, %lld pending, %lld failed; open conflicts: %lld\n",
              static_cast<long long>(s.changes_new), static_cast<long long>(s.changes_pending),
              static_cast<long long>(s.changes_failed), static_cast<long long>(s.open_conflicts));
  for (const auto& [k, v] : s.state) std::printf("state %s = %s\n", k.c_str(), v.c_str());
  for (const auto& r : s.last_runs)
    std::printf("run %lld %s %s at %s (%lld ms): pulled %lld pushed %lld conflicts %lld failed %lld api %lld%s\n",
                static_cast<long long>(r.id), r.mode.c_str(), r.status.c_str(), r.started_at.c_str(),
                static_cast<long long>(r.duration_ms), static_cast<long long>(r.counts.pulled),
                static_cast<long long>(r.counts.pushed), static_cast<long long>(r.counts.conflicts),
                static_cast<long long>(r.counts.failed), static_cast<long long>(r.counts.api_calls),
                r.error.empty() ? "" : (" error: " + r.error).c_str());
}

}  // namespace leadsync::daemon
