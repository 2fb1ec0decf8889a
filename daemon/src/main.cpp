// leadsync entry point: parses the command line, loads and validates the configuration, and runs the
// requested mode. Every failure ends with one clear message on stderr and an exit code of
// ARCHITECTURE.md §8 (exit_codes.hpp).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "cli.hpp"
#include "exit_codes.hpp"
#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"
#include "leadsync/config/secrets.hpp"
#include "leadsync/core/error.hpp"
#include "logging.hpp"
#include "report.hpp"
#include "runtime.hpp"

using namespace leadsync;
using namespace leadsync::daemon;

namespace {

int fail(int code, const std::string& message) {
  spdlog::error("{}", message);
  if (!spdlog::default_logger() || spdlog::default_logger()->name() != "leadsync")
    std::fprintf(stderr, "leadsync: %s\n", message.c_str());
  return code;
}

// Which exit code a failure deserves: credentials refused and unreachable services are 69 (systemd
// restarts and we retry), problems only the operator can fix are 78 (systemd does not restart).
int exit_code_for(const core::Error& e) {
  if (e.details().category == "CONFIG") return kExitConfig;
  if (e.is_transient()) return kExitUnavailable;
  const int status = e.details().http_status;
  if (status == 401 || status == 403) return kExitUnavailable;
  return kExitUnavailable;
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli;
  try {
    cli = parse_cli(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const UsageError& e) {
    std::fprintf(stderr, "leadsync: %s\n", e.what());
    return kExitUsage;
  }
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
  try {
    cfg = config::load_config_file(*cli.config_path);
    setup_logging(cfg.logging.level, cfg.logging.format);
    secrets = config::resolve_secrets(cfg);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "leadsync: invalid configuration:\n%s\n", e.what());
    return kExitConfig;
  }
  if (cli.mode == Mode::check_config && !cli.online) {
    std::printf("configuration OK: %s (table %s, %zu mapped properties)\n", cli.config_path->c_str(),
                cfg.database.qualified_table().c_str(), cfg.mappings.size());
    return kExitOk;
  }

  std::unique_ptr<Runtime> rt;
  try {
    rt = std::make_unique<Runtime>(cfg, secrets, cli.migrations_dir ? std::filesystem::path(*cli.migrations_dir) : default_migrations_dir());
  } catch (const core::Error& e) {
    return fail(e.is_fatal() ? kExitConfig : kExitUnavailable, e.what());
  }
  try {
    rt->prepare();
  } catch (const core::Error& e) {
    // A table that does not fit the mapping, or a changed migration, needs the operator; a database
    // that does not answer may come back.
    return fail(e.is_transient() ? kExitUnavailable : kExitConfig, e.what());
  }

  try {
    switch (cli.mode) {
      case Mode::status:
        print_status(rt->store().status(), cli.output);
        return kExitOk;
      case Mode::retry_failed: {
        auto n = rt->store().requeue_failed();
        std::printf("requeued %zu failed change(s); the next cycle pushes them\n", n);
        return kExitOk;
      }
      case Mode::sync_now: {
        if (cli.retry_failed) {
          auto n = rt->store().requeue_failed();
          spdlog::info("requeued {} failed change(s)", n);
        }
        core::CycleRequest req;
        req.kind = cli.full ? core::CycleKind::full : core::CycleKind::automatic;
        req.dry_run = cli.dry_run;
        auto report = rt->run_cycle_blocking(req);
        if (report.dry_run) print_dry_run(*report.dry_run, rt->engine().options().mapping, cli.output);
        else print_cycle_summary(report);
        return report.record.status == "partial" ? kExitRecordsFailed : kExitOk;
      }
      case Mode::check_config:
        std::printf("configuration OK (database reachable, table fits the mapping)\n");
        return kExitOk;
      case Mode::daemon:
        return fail(kExitUsage, "daemon mode is not implemented yet; use --sync-now");
      default:
        return kExitUsage;
    }
  } catch (const core::Error& e) {
    return fail(exit_code_for(e), e.what());
  } catch (const std::exception& e) {
    return fail(kExitUnavailable, e.what());
  }
}
