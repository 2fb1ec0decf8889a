#pragma once
// Human- and machine-readable output of --sync-now, --dry-run and --status (stdout).
#include "cli.hpp"
#include "leadsync/core/engine.hpp"
#include "leadsync/db/pg_store.hpp"

namespace leadsync::daemon {

void print_cycle_summary(const core::CycleReport& report);
void print_dry_run(const core::DryRunPlan& plan, const core::SyncMapping& mapping, OutputFormat format);
void print_status(const db::StoreStatus& status, OutputFormat format);

}  // namespace leadsync::daemon
