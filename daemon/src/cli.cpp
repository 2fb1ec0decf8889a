// Command-line parsing and the --help text.
#include "cli.hpp"

namespace leadsync::daemon {

std::string help_text() {
  return R"(usage: leadsync --config FILE [MODE] [OPTIONS]

leadsync keeps the leads of a HubSpot portal and a PostgreSQL table in two-way sync.

Modes (default: run as a daemon in the foreground, for systemd Type=notify):
  --sync-now          run one sync cycle (pull, reconcile, push) and exit
  --check-config      validate the configuration and exit (add --online to also check HubSpot's
                      properties API and the database table against the mapping)
  --status            show watermarks, the last runs, pending and failed changes, and exit
  --retry-failed      requeue changes that failed permanently (alone, or together with --sync-now)
  --version           print the version and exit
  --help              print this help and exit

Options:
  --config FILE       the YAML configuration (see /etc/leadsync/leadsync.example.yaml)
  --full              with --sync-now or as a daemon: start with a full sweep instead of an incremental
                      pull (finds remote deletes and drift; costs one API call per 100 leads)
  --dry-run           with --sync-now: print what would change on each side and change nothing
  --output text|json  output format of --status, --dry-run and --check-config --online
  --migrations DIR    directory of NNNN_name.sql migrations (default: the installed ones)

Signals (daemon): SIGTERM/SIGINT stop after the batch in flight; SIGHUP reloads the configuration (keys
that cannot change live - database DSN and table, metrics.enabled/listen - are refused and reported).
Metrics: http://<metrics.listen>/metrics (Prometheus), /healthz, /readyz.

Exit codes:
  0 success   1 finished but some records failed   2 usage error
  69 HubSpot or PostgreSQL unavailable, or credentials refused   78 invalid configuration
)";
}

CliOptions parse_cli(const std::vector<std::string>& args) {
  CliOptions o;
  std::optional<Mode> mode;
  auto set_mode = [&](Mode m, const std::string& flag) {
    if (mode && *mode != m) throw UsageError(flag + " cannot be combined with another mode");
    mode = m;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& flag) -> std::string {
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) throw UsageError(flag + " needs a value");
      return args[++i];
    };
    if (a == "--config" || a == "-c")
      o.config_path = value(a);
    else if (a.rfind("--config=", 0) == 0)
      o.config_path = a.substr(9);
    else if (a == "--sync-now")
      set_mode(Mode::sync_now, a);
    else if (a == "--check-config")
      set_mode(Mode::check_config, a);
    else if (a == "--status")
      set_mode(Mode::status, a);
    else if (a == "--version")
      set_mode(Mode::version, a);
    else if (a == "--help" || a == "-h")
      set_mode(Mode::help, a);
    else if (a == "--retry-failed")
      o.retry_failed = true;
    else if (a == "--full")
      o.full = true;
    else if (a == "--dry-run")
      o.dry_run = true;
    else if (a == "--online")
      o.online = true;
    else if (a == "--migrations")
      o.migrations_dir = value(a);
    else if (a == "--output" || a.rfind("--output=", 0) == 0) {
      std::string v = a == "--output" ? value(a) : a.substr(9);
      if (v == "json")
        o.output = OutputFormat::json;
      else if (v == "text")
        o.output = OutputFormat::text;
      else
        throw UsageError("--output takes text or json, not '" + v + "'");
    } else {
      throw UsageError("unknown argument '" + a + "' (see --help)");
    }
  }
  if (!mode && o.retry_failed) mode = Mode::retry_failed;
  o.mode = mode.value_or(Mode::daemon);
  if (o.mode == Mode::help || o.mode == Mode::version) return o;
  if (!o.config_path) throw UsageError("--config FILE is required (see --help)");
  if (o.dry_run && o.mode != Mode::sync_now) throw UsageError("--dry-run only works with --sync-now");
  if (o.dry_run && o.retry_failed)
    throw UsageError("--retry-failed changes the outbox, so it cannot be part of a --dry-run");
  if (o.online && o.mode != Mode::check_config) throw UsageError("--online only works with --check-config");
  if (o.full && o.mode != Mode::sync_now && o.mode != Mode::daemon)
    throw UsageError("--full only works with --sync-now or in daemon mode");
  return o;
}

}  // namespace leadsync::daemon
