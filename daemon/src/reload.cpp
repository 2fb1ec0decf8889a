#include "daemon_impl.hpp"
#include "options.hpp"

#include <sstream>

#include "leadsync/config/config_error.hpp"
#include "leadsync/config/keys.hpp"
#include "logging.hpp"

namespace leadsync::daemon {

namespace {

// What changed between two configurations, by top-level section (for the reload log line): the key table
// says which sections; the values behind the secret keys are compared here.
std::vector<std::string> changed_sections(const config::AppConfig& a, const config::AppConfig& b,
                                          const config::Secrets& sa, const config::Secrets& sb) {
  std::vector<std::string> out = config::changed_sections(a, b);
  if (!(sa.access_token == sb.access_token) || !(sa.oauth.has_value() == sb.oauth.has_value()) ||
      (sa.oauth && sb.oauth &&
       !(sa.oauth->client_secret == sb.oauth->client_secret &&
         sa.oauth->refresh_token == sb.oauth->refresh_token)))
    out.push_back("hubspot credentials");
  return out;
}

}  // namespace

// ---- reload -----------------------------------------------------------------------------------------

void Daemon::Impl::request_reload() {
  spdlog::info("SIGHUP: reloading {}", options_.config_path);
  config::AppConfig next;
  config::Secrets secrets;
  try {
    next = config::load_config_file(options_.config_path);
    secrets = config::resolve_secrets(next);
  } catch (const config::ConfigError& e) {
    // One log line per problem: a log line never spans lines (logging.hpp).
    spdlog::error("reload failed, keeping the running configuration:");
    std::istringstream problems(e.what());
    for (std::string line; std::getline(problems, line);) spdlog::error("  {}", line);
    metrics_.config_reload(false);
    return;
  } catch (const std::exception& e) {
    spdlog::error("reload failed, keeping the running configuration: {}", e.what());
    metrics_.config_reload(false);
    return;
  }
  auto fixed = config::non_reloadable_differences(cfg_, next);
  if (fixed.empty() && !(secrets.database_dsn == secrets_.database_dsn))
    fixed.push_back("the database DSN (the value behind database.dsn_env / dsn_file)");
  if (fixed.empty() && !(secrets.webhook_client_secret == secrets_.webhook_client_secret))
    fixed.push_back("the webhook client secret (the value behind webhooks.client_secret_env / _file)");
  if (!fixed.empty()) {
    spdlog::error(
        "reload refused: {} cannot change while leadsync runs (restart the service to apply it); "
        "keeping the running configuration, nothing of the new file was applied",
        join(fixed));
    metrics_.config_reload(false);
    return;
  }
  auto changed = changed_sections(cfg_, next, secrets_, secrets);
  if (changed.empty()) {
    spdlog::info("reload: the configuration did not change");
    metrics_.config_reload(true);
    return;
  }
  if (cycle_running()) spdlog::info("reload: applying after the cycle in progress");
  pending_reload_ = PendingReload{std::move(next), std::move(secrets), std::move(changed)};
  wake_main();
}

net::awaitable<void> Daemon::Impl::apply_reload() {
  auto r = std::move(*pending_reload_);
  pending_reload_.reset();
  std::string error;
  try {
    co_await rt_->reconfigure(r.cfg, r.secrets);
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (!error.empty()) {
    spdlog::error("reload failed while applying it ({}); keeping the running configuration", error);
    metrics_.config_reload(false);
    co_return;
  }
  cfg_ = std::move(r.cfg);
  secrets_ = std::move(r.secrets);
  setup_logging(cfg_.logging.level, cfg_.logging.format);
  sched_.set_options(scheduler_options(cfg_, rely_on_webhooks()), Clock::now());
  sched_.reset_backoff();
  // The engine was rebuilt with the configured sweep intervals: plan them again before the next cycle.
  last_api_refresh_ = {};
  planned_schedule_.reset();
  if (active())
    rt_->engine().clear_stop();
  else
    rt_->engine().request_stop();
  metrics_.config_reload(true);
  spdlog::info("configuration reloaded from {} (changed: {})", options_.config_path, join(r.changed));
}

}  // namespace leadsync::daemon
