#pragma once
// Human- and machine-readable output of --sync-now, --dry-run and --status (stdout).
#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "api_budget.hpp"
#include "cli.hpp"
#include "leadsync/core/engine.hpp"
#include "leadsync/db/leader_lock.hpp"
#include "leadsync/db/pg_store.hpp"
#include "leadsync/hubspot/api_version.hpp"

namespace leadsync::daemon {

void print_cycle_summary(const core::CycleReport& report);
// `local`: the current values of the rows of the leads in plan.pull (by hubspot id), for the OLD column.
void print_dry_run(const core::DryRunPlan& plan, const core::SyncMapping& mapping,
                   const std::map<std::string, core::PropertyValues>& local, OutputFormat format);
// `leader`: the session holding the scope's leader lock (a running daemon), when there is one.
// `webhooks_enabled`: the configuration's webhooks.enabled (the inbox block, or "webhooks: off").
void print_status(const std::string& scope, const db::StoreStatus& status,
                  const std::optional<db::LockHolder>& leader, const ApiBudgetReport& api,
                  bool webhooks_enabled, OutputFormat format);
// The warning for a deprecation notice recorded in sync_state (state_key_deprecation), with how long ago
// HubSpot last sent it; nullopt when there is none or it does not decode.
std::optional<std::string> announced_deprecation(hubspot::ApiVersion version, std::string_view recorded);
// "2024-05-01T10:00:00.123Z" for an epoch-ms string; the input unchanged when it is not a number.
std::string format_epoch_ms(const std::string& value);
// "42 s", "5 min", "3 h", "2 d": how long ago something happened, rounded down to a unit an operator reads.
std::string age_text(std::chrono::milliseconds age);

}  // namespace leadsync::daemon
