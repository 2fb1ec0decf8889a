// leadsync entry point: parses the command line, loads and validates the configuration, and runs the
// requested mode. Every failure ends with one clear message on stderr and an exit code of
// docs/design.md#exit-codes (exit_codes.hpp).
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "cli.hpp"
#include "daemon.hpp"
#include "exit_codes.hpp"
#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"
#include "leadsync/config/secrets.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/db/change_listener.hpp"
#include "leadsync/db/leader_lock.hpp"
#include "leadsync/db/local_rows.hpp"
#include "leadsync/db/schema_inspector.hpp"
#include "logging.hpp"
#include "online_check.hpp"
#include "options.hpp"
#include "process_hardening.hpp"
#include "progress.hpp"
#include "report.hpp"
#include "runtime.hpp"
#include "stop_signals.hpp"

using namespace leadsync;
using namespace leadsync::daemon;

namespace {

int fail(int code, const std::string& message) {
  // The logger writes to stderr as well; one line, no secrets (messages are built without them).
  spdlog::error("{}", message);
  return code;
}

// Runs one cycle; SIGINT/SIGTERM ask the engine to stop at the next batch boundary (the next run resumes).
net::awaitable<core::CycleReport> run_interruptible(Runtime* rt, core::CycleRequest request,
                                                    int* signal_received) {
  net::signal_set signals(rt->io(), SIGINT, SIGTERM);
  signals.async_wait([rt, signal_received](boost::system::error_code ec, int sig) {
    if (ec) return;
    *signal_received = sig;
    spdlog::warn("{}: stopping after the batch in progress (the next run resumes from there)",
                 sig == SIGINT ? "SIGINT" : "SIGTERM");
    rt->engine().request_stop();
    rt->client().stop_waiting();  // a retry or rate-limit wait would hold the stop up until it ran out
  });
  std::exception_ptr failure;
  core::CycleReport report;
  try {
    report = co_await rt->cycle(request);
  } catch (...) {
    failure = std::current_exception();
  }
  boost::system::error_code ignored;
  signals.cancel(ignored);
  if (failure) std::rethrow_exception(failure);
  co_return report;
}

// HubSpot's daily maximum as it last reported it (a state value the client records), if it looks like one.
std::optional<std::int64_t> reported_daily_max(const std::optional<std::string>& v) {
  if (!v || v->empty() || v->size() >= 16 || v->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  return std::stoll(*v);
}

// A run from cron every few minutes must keep to the budget plan as the daemon does.
void plan_sweeps(Runtime& rt, db::LeaderLock& lock) {
  const auto report = api_budget_report(rt.config(), lock.api_usage(),
                                        reported_daily_max(rt.store().load_state(kStateBudgetDailyMax)));
  const auto& planned = report.plan.planned;
  rt.engine().set_sweep_intervals(planned.full_sweep_interval, planned.association_sweep_interval);
  for (const auto& line : report.plan_lines) spdlog::warn("API budget: {}", line);
}

int sync_now(Runtime& rt, const CliOptions& cli) {
  const std::string scope = rt.scope();
  std::unique_ptr<db::LeaderLock> lock;
  if (cli.dry_run) {
    // A dry run must not change the database, so it cannot run the migrations or fit the table itself.
    auto s = db::inspect_schema(rt.dsn(), to_mapping(rt.config()), rt.migrations_dir());
    if (!s.ready()) {
      std::string why;
      if (!s.bookkeeping_schema)
        why = "the leadsync schema does not exist yet";
      else if (!s.pending.empty())
        why = std::to_string(s.pending.size()) + " migration(s) are pending";
      else if (!s.migration_problems.empty())
        why = s.migration_problems.front();
      else if (!s.table_exists || !s.associations_table_exists)
        why = "table " + scope + " (or its _associations table) does not exist yet";
      else if (!s.differences.empty())
        why = s.differences.front();
      else if (!s.missing_columns.empty())
        why = "column " + s.missing_columns.front() + " is not in the table yet";
      else
        why = "trigger " + s.missing_triggers.front();
      return fail(kExitConfig,
                  "--dry-run needs a prepared database and " + why +
                      "; run `leadsync --check-config --online` to see what the first real run would "
                      "create, or run leadsync once");
    }
  } else {
    rt.prepare();
    lock = std::make_unique<db::LeaderLock>(rt.dsn(), scope);
    if (!lock->try_acquire()) {
      auto holder = lock->holder();
      std::string who = holder ? " (PostgreSQL backend " + std::to_string(holder->pid) + ", " +
                                     holder->application_name +
                                     (holder->client.empty() ? "" : " from " + holder->client) + ", since " +
                                     holder->since + ")"
                               : "";
      return fail(kExitUnavailable,
                  "another leadsync is active for " + scope + who +
                      ": it keeps the table in sync already; stop it before running --sync-now");
    }
    if (cli.retry_failed) {
      auto n = rt.store().requeue_failed();
      spdlog::info("requeued {} failed change(s)", n);
    }
    plan_sweeps(rt, *lock);
  }

  ProgressLine progress(stderr, ::isatty(STDERR_FILENO) == 1);
  rt.set_progress_callback([&progress](const core::Progress& p) { progress.update(p); });
  core::CycleRequest req;
  req.kind = cli.full ? core::CycleKind::full : core::CycleKind::automatic;
  req.dry_run = cli.dry_run;
  int signal_received = 0;
  core::CycleReport report;
  try {
    report = rt.run_blocking(run_interruptible(&rt, req, &signal_received));
  } catch (const core::Error& e) {
    // A signal that ended a wait makes the cycle fail ("leadsync is stopping"): the operator stopped it,
    // and a supervisor must see the signal's exit code (128 + N), not "HubSpot unavailable".
    if (!signal_received) throw;
    progress.finish();
    if (lock) lock->release();
    return fail(128 + signal_received, std::string("stopped: ") + e.what());
  }
  progress.finish();
  if (lock) lock->release();

  if (report.dry_run) {
    std::vector<std::string> ids;
    for (const auto& p : report.dry_run->pull)
      if (p.row_id) ids.push_back(p.hubspot_id);
    const auto& mapping = rt.engine().options().mapping;
    print_dry_run(*report.dry_run, mapping, db::read_local_values(rt.dsn(), mapping, ids), cli.output);
  } else {
    print_cycle_summary(report);
  }
  if (signal_received) return 128 + signal_received;
  return report.record.status == "partial" ? kExitRecordsFailed : kExitOk;
}

int show_status(Runtime& rt, const CliOptions& cli) {
  const std::string scope = rt.scope();
  auto s = db::inspect_schema(rt.dsn(), to_mapping(rt.config()), rt.migrations_dir());
  if (!s.bookkeeping_schema || !s.table_exists) {
    if (cli.output == OutputFormat::json)
      std::printf("{\n  \"scope\": \"%s\",\n  \"initialized\": false\n}\n", scope.c_str());
    else
      std::printf("leadsync status of %s\n  not initialized: %s; nothing has been synced yet\n",
                  scope.c_str(),
                  !s.bookkeeping_schema ? "the leadsync schema does not exist" : "the table does not exist");
    return kExitOk;
  }
  db::LeaderLock lock(rt.dsn(), scope);
  auto holder = lock.holder();
  const auto status = rt.store().status();
  std::optional<std::int64_t> reported_daily;
  std::optional<std::string> announced;
  const auto version = to_api_version(rt.config().hubspot.api_version);
  for (const auto& [k, v] : status.state) {
    if (k == kStateBudgetDailyMax) reported_daily = reported_daily_max(v);
    if (k == state_key_deprecation(version)) announced = announced_deprecation(version, v);
  }
  auto api = api_budget_report(rt.config(), status.api_usage, reported_daily);
  api.version.announced = std::move(announced);
  print_status(scope, status, holder, api, rt.config().webhooks.enabled, cli.output);
  return kExitOk;
}

int retry_failed(Runtime& rt) {
  rt.prepare();
  const auto n = rt.store().requeue_failed();
  std::string how = "the next cycle pushes them";
  try {
    // Wakes a running daemon at once (its LISTEN connection gets the notification).
    db::notify_changes(rt.dsn(), rt.scope());
    how = "a running daemon pushes them within seconds, otherwise the next run does";
  } catch (const core::Error& e) {
    spdlog::debug("could not notify a running daemon: {}", e.what());
  }
  std::printf("requeued %zu failed change(s); %s\n", n, how.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // Before any secret is read: a crash must not write them into a core file (systemd's LimitCORE=0 covers
  // the service; this covers every other way leadsync is started).
  disable_core_dumps();
  // The daemon's handler exists only once the configuration is loaded and PostgreSQL answered; until then a
  // stop signal waits for it (released below for the modes that keep the default actions).
  hold_stop_signals();

  // libpq gives up on an unreachable server after this many seconds instead of the kernel's minutes; set
  // before any thread starts (the operator's own PGCONNECT_TIMEOUT wins).
  ::setenv("PGCONNECT_TIMEOUT", "10", 0);

  CliOptions cli;
  try {
    cli = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "leadsync: %s\n", e.what());
    return kExitUsage;
  }
  if (cli.mode != Mode::daemon) release_stop_signals();
  if (cli.mode == Mode::help) {
    std::fputs(help_text().c_str(), stdout);
    return kExitOk;
  }
  if (cli.mode == Mode::version) {
    std::printf("leadsync %s\n", LEADSYNC_VERSION);
    return kExitOk;
  }

  config::AppConfig cfg;
  config::Secrets secrets;
  const bool offline_check = cli.mode == Mode::check_config && !cli.online;
  try {
    cfg = config::load_config_file(*cli.config_path);
    const bool progress_on_tty = cli.mode == Mode::sync_now && ::isatty(STDERR_FILENO) == 1;
    setup_logging(cfg.logging.level, cfg.logging.format, progress_on_tty);
    // The offline check validates the file only: a systemd credential path exists only inside the service.
    if (!offline_check) secrets = config::resolve_secrets(cfg);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "leadsync: invalid configuration:\n%s\n", e.what());
    return kExitConfig;
  }
  if (offline_check) {
    std::printf(
        "configuration OK: %s (table %s, %zu mapped properties; secrets not read: --online reads them)\n",
        cli.config_path->c_str(), cfg.database.qualified_table().c_str(), cfg.mappings.size());
    return kExitOk;
  }
  const std::filesystem::path migrations =
      cli.migrations_dir ? std::filesystem::path(*cli.migrations_dir) : default_migrations_dir();

  if (cli.mode == Mode::daemon) {
    try {
      Daemon daemon(DaemonOptions{*cli.config_path, migrations, cli.full}, std::move(cfg),
                    std::move(secrets));
      release_stop_signals();  // the daemon's signal_set exists now and queues what came meanwhile
      return daemon.run();
    } catch (const core::Error& e) {
      return fail(exit_code_for(e), e.what());
    } catch (const std::exception& e) {
      return fail(kExitSoftware, e.what());
    }
  }

  std::unique_ptr<Runtime> rt;
  try {
    rt = std::make_unique<Runtime>(cfg, secrets, migrations);
  } catch (const core::Error& e) {
    return fail(exit_code_for(e), e.what());
  }
  try {
    switch (cli.mode) {
      case Mode::status:
        return show_status(*rt, cli);
      case Mode::retry_failed:
        return retry_failed(*rt);
      case Mode::sync_now:
        return sync_now(*rt, cli);
      case Mode::check_config: {
        auto report = run_online_check(*rt);
        print_check_report(*cli.config_path, rt->config(), report, cli.output);
        return report.exit_code();
      }
      default:
        return kExitUsage;
    }
  } catch (const core::Error& e) {
    return fail(exit_code_for(e), e.what());
  } catch (const std::exception& e) {
    return fail(kExitUnavailable, e.what());
  }
}
