#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>

#include "api_budget.hpp"
#include "daemon_impl.hpp"
#include "leadsync/config/duration.hpp"
#include "leadsync/core/offload.hpp"
#include "options.hpp"

namespace leadsync::daemon {

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  if (d < 10s)
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>((d.count() + 500) / 1000));
  return buf;
}

SchedulerOptions scheduler_options(const config::AppConfig& cfg, bool rely_on_webhooks) {
  SchedulerOptions o;
  o.interval = poll_schedule(cfg, rely_on_webhooks).interval;
  o.debounce = cfg.sync.debounce;
  o.initial_backoff = 1s;
  // A failing HubSpot or PostgreSQL is retried at least every sync.interval, and at most every minute.
  o.max_backoff =
      std::max<std::chrono::milliseconds>(std::min<std::chrono::milliseconds>(cfg.sync.interval, 60s), 5s);
  return o;
}

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

net::awaitable<void> sleep_until(net::steady_timer& timer, Clock::time_point deadline) {
  timer.expires_at(deadline);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

// ---- start, loop, stop ------------------------------------------------------------------------------

int Daemon::Impl::run() {
  spdlog::info("leadsync {} starting: scope {}, HubSpot {}, config {}", LEADSYNC_VERSION, scope_,
               cfg_.hubspot.base_url, options_.config_path);
  if (cfg_.metrics.enabled) {
    metrics_server_ = std::make_unique<MetricsServer>(
        rt_->io().get_executor(),
        [this](const std::string& m, const std::string& t) { return handle_http(m, t); });
    try {
      const auto port = metrics_server_->start(cfg_.metrics.listen_host, cfg_.metrics.listen_port);
      const auto& h = cfg_.metrics.listen_host;
      spdlog::info("metrics listening on {}:{}", h.find(':') != std::string::npos ? "[" + h + "]" : h, port);
    } catch (const core::Error& e) {
      spdlog::critical("{}", e.what());
      return kExitConfig;
    }
  }
  if (!start_webhooks()) return kExitConfig;
  spawn("signal handling", [this] { return signal_loop(); });
  spawn("watchdog", [this] { return watchdog_loop(); });
  spawn("main loop", [this] { return main_loop(); });
  rt_->io().run();
  spdlog::info("leadsync stopped (exit code {})", exit_code_);
  return exit_code_;
}

bool Daemon::Impl::start_webhooks() {
  if (!cfg_.webhooks.enabled || !secrets_.webhook_client_secret) return true;
  webhooks_ = std::make_unique<WebhookIntake>(rt_->io().get_executor(), cfg_.webhooks,
                                              *secrets_.webhook_client_secret, rt_->dsn(), scope_, metrics_);
  try {
    const auto port = webhooks_->start();
    const auto& h = cfg_.webhooks.listen_host;
    spdlog::info("webhooks listening on {}:{}{}{}", h.find(':') != std::string::npos ? "[" + h + "]" : h,
                 port, cfg_.webhooks.path, cfg_.webhooks.cert_file ? " (HTTPS only)" : "");
    metrics_.webhook_missed(0);  // the series exists from the start, for rate() and alerts
  } catch (const core::Error& e) {
    spdlog::critical("{}", e.what());
    return false;
  }
  return true;
}

net::awaitable<bool> Daemon::Impl::start_up() {
  int attempt = 0;
  while (!stopping()) {
    std::string error;
    std::optional<int> fatal_exit;
    last_activity_ = Clock::now();
    try {
      co_await core::run_blocking(rt_->db_executor(), [&] { rt_->prepare(); });
      co_return true;
    } catch (const core::Error& e) {
      error = e.what();
      if (!e.is_transient()) fatal_exit = exit_code_for(e);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (fatal_exit) {
      spdlog::critical("cannot start: {}", error);
      exit_code_ = *fatal_exit;
      begin_stop("start-up failed");
      co_return false;
    }
    const auto delay = backoff_delay(++attempt, 1s, 30s, random01());
    spdlog::warn("PostgreSQL is not available ({}); retrying in {}", error, seconds_text(delay));
    healthy_ = false;
    last_error_ = error;
    notifier_.status("starting: waiting for PostgreSQL: " + error);
    activity_ = Activity::waiting;
    co_await sleep_until(wake_timer_, Clock::now() + delay);
    activity_ = Activity::working;
  }
  co_return false;
}

net::awaitable<void> Daemon::Impl::main_loop() {
  if (co_await start_up()) {
    // A stop requested while the schema was being checked stays requested.
    if (!stopping()) role_ = Role::standby;
    healthy_ = true;
    last_error_.clear();
    spawn("leader lock", [this] { return leader_loop(); });
    spawn("change listener", [this] { return listener_loop(); });
    notifier_.ready("ready: waiting for the leader lock of " + scope_);
    spdlog::info("ready: schema of {} checked; waiting for the leader lock", scope_);
  }
  while (!stopping()) {
    last_activity_ = Clock::now();
    if (pending_reload_) {
      co_await apply_reload();
      continue;
    }
    if (!active()) {
      update_status();
      activity_ = Activity::waiting;
      co_await sleep_until(wake_timer_, Clock::now() + 1h);
      activity_ = Activity::working;
      continue;
    }
    const auto d = sched_.next(Clock::now());
    if (d.action == Decision::Action::wait) {
      update_status();
      activity_ = Activity::waiting;
      co_await sleep_until(wake_timer_, d.wake_at);
      activity_ = Activity::working;
      continue;
    }
    co_await run_cycle(d.kind);
  }

  // Stopping: no cycle runs any more.
  grace_timer_.cancel();
  try {
    co_await rt_->shutdown();
  } catch (const std::exception& e) {
    spdlog::debug("closing HubSpot connections: {}", e.what());
  }
  if (metrics_server_) metrics_server_->stop();
  if (webhooks_) webhooks_->stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  role_ = Role::stopped;
  watchdog_timer_.cancel();
  leader_timer_.cancel();
  listener_timer_.cancel();
  if (listen_fd_) listen_fd_->cancel(ignored);
}

void Daemon::Impl::begin_stop(const std::string& reason) {
  if (stopping()) return;
  role_ = Role::stopping;
  spdlog::info("{}: stopping after the batch in progress", reason);
  notifier_.stopping("stopping (" + reason + ")");
  rt_->engine().request_stop();
  wake_main();
  leader_timer_.cancel();
  listener_timer_.cancel();
  boost::system::error_code ignored;
  if (listen_fd_) listen_fd_->cancel(ignored);
  grace_timer_.expires_after(kStopGrace);
  grace_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || role_ == Role::stopped) return;
    spdlog::warn("still busy {} s after the stop request: cancelling the requests in flight",
                 kStopGrace.count());
    cycle_cancel_.emit(net::cancellation_type::terminal);
  });
}

net::awaitable<void> Daemon::Impl::signal_loop() {
  while (true) {
    auto [ec, sig] = co_await signals_.async_wait(net::as_tuple(net::use_awaitable));
    if (ec) co_return;  // cancelled at the end
    if (sig == SIGHUP) {
      request_reload();
      continue;
    }
    if (!stopping()) {
      begin_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    } else if (role_ != Role::stopped) {
      spdlog::warn("second stop signal: cancelling the requests in flight");
      cycle_cancel_.emit(net::cancellation_type::terminal);
    }
  }
}

net::awaitable<void> Daemon::Impl::watchdog_loop() {
  const auto interval = notifier_.watchdog_interval();
  if (!interval) co_return;
  const auto ping_every = std::chrono::duration_cast<Clock::duration>(*interval / 2);
  // A cycle shows signs of life at least once per HubSpot request (bounded by the request timeout) or
  // backoff wait; beyond this, the loop is stuck (e.g. a database call hanging on a dead network) and
  // systemd should restart us.
  const auto stall_limit = 2 * std::max(cfg_.hubspot.timeouts.request, cfg_.hubspot.retry.max_backoff) + 60s;
  spdlog::debug("systemd watchdog on: pinging every {} ms",
                std::chrono::duration_cast<std::chrono::milliseconds>(ping_every).count());
  while (role_ != Role::stopped) {
    const auto now = Clock::now();
    const auto active = std::max(last_activity_, rt_->api_stats().last_activity());
    if (activity_ == Activity::waiting || now - active < stall_limit)
      notifier_.watchdog();
    else
      spdlog::error("no sign of life from the sync loop for {} s: not pinging the systemd watchdog",
                    std::chrono::duration_cast<std::chrono::seconds>(now - active).count());
    co_await sleep_until(watchdog_timer_, now + ping_every);
  }
}

// ---- cycles -------------------------------------------------------------------------------------------

net::awaitable<void> Daemon::Impl::run_cycle(core::CycleKind kind) {
  // The sweeps this cycle may start follow the budget plan (refreshed at most once a minute).
  co_await refresh_api_projection();
  sched_.cycle_started(kind);
  activity_ = Activity::cycle;
  progress_text_.clear();
  update_status();
  const auto started = Clock::now();
  std::optional<core::CycleReport> report;
  std::string error;
  bool transient = true;
  std::optional<std::chrono::milliseconds> retry_after;
  std::optional<int> stop_with;
  try {
    report = co_await net::co_spawn(rt_->io(), rt_->cycle(core::CycleRequest{kind, false}),
                                    net::bind_cancellation_slot(cycle_cancel_.slot(), net::use_awaitable));
  } catch (const core::Error& e) {
    error = e.what();
    transient = e.is_transient();
    retry_after = e.details().retry_after;
    if (!e.details().correlation_id.empty()) error += " (correlation id " + e.details().correlation_id + ")";
    if (stops_the_daemon(e)) stop_with = exit_code_for(e);
  } catch (const std::exception& e) {
    error = e.what();
  }
  activity_ = Activity::working;
  progress_text_.clear();
  const auto now = Clock::now();
  last_activity_ = now;
  const std::chrono::duration<double> took = now - started;
  if (report) {
    metrics_.cycle_finished(*report, took);
    note_missed_events(report->events_missed);
    const auto& r = report->record;
    if (r.status != "cancelled") sched_.cycle_succeeded(kind, now, random01());
    healthy_ = true;
    last_error_.clear();
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "last %s cycle %s in %.1f s (pulled %lld, pushed %lld, failed %lld, conflicts %lld)",
                  r.mode.c_str(), r.status.c_str(), took.count(), static_cast<long long>(r.counts.pulled),
                  static_cast<long long>(r.counts.pushed), static_cast<long long>(r.counts.failed),
                  static_cast<long long>(r.counts.conflicts));
    last_summary_ = buf;
  } else if (stop_with) {
    metrics_.cycle_failed(kind, took);
    healthy_ = false;
    last_error_ = error;
    spdlog::critical("sync cycle failed: {}", error);
    exit_code_ = *stop_with;
    begin_stop("HubSpot refused the OAuth refresh token");
  } else {
    metrics_.cycle_failed(kind, took);
    if (active()) {
      // Credentials refused, a property that does not fit and the like will not heal in a second: wait
      // longer, and say so every time. A reload (SIGHUP) retries at once.
      if (!transient) retry_after = std::max(retry_after.value_or(0ms), std::chrono::milliseconds(60s));
      const auto wait = sched_.cycle_failed(now, random01(), retry_after);
      healthy_ = false;
      last_error_ = error;
      if (transient)
        spdlog::warn("sync cycle failed: {}; retrying in {}", error, seconds_text(wait));
      else
        spdlog::error(
            "sync cycle failed: {}; retrying in {} (fix the cause, then `systemctl reload` retries at once)",
            error, seconds_text(wait));
    }
  }
  metrics_.set_ready(ready());
  co_await refresh_outbox();
  update_status();
}

net::awaitable<void> Daemon::Impl::refresh_outbox() {
  if (!active()) co_return;
  last_outbox_refresh_ = Clock::now();
  try {
    auto depth = co_await core::run_blocking(rt_->control_executor(), [&] { return lock_->outbox_depth(); });
    metrics_.set_outbox(depth);
  } catch (const std::exception& e) {
    spdlog::debug("could not count pending changes: {}", e.what());
  }
  co_await refresh_inbox();
  co_await refresh_api_projection();
}

net::awaitable<void> Daemon::Impl::refresh_inbox() {
  if (!cfg_.webhooks.enabled) co_return;
  try {
    auto inbox = co_await core::run_blocking(rt_->control_executor(), [&] { return lock_->inbox_status(); });
    metrics_.set_inbox(inbox);
    const bool news = !inbox_ || inbox_->last_received_ms != inbox.last_received_ms;
    inbox_ = inbox;
    // STATUS= names the last event: between cycles nothing else would send it.
    if (news && !cycle_running()) update_status();
  } catch (const std::exception& e) {
    spdlog::debug("could not read the webhook inbox: {}", e.what());
  }
}

net::awaitable<void> Daemon::Impl::refresh_api_projection() {
  // A day of runs is summed: once a minute is fresh enough for a daily figure.
  if (Clock::now() - last_api_refresh_ < kApiProjectionRefresh) co_return;
  last_api_refresh_ = Clock::now();
  try {
    auto usage = co_await core::run_blocking(rt_->control_executor(), [&] { return lock_->api_usage(); });
    const auto report = api_budget_report(cfg_, usage, rt_->api_stats().snapshot().budget.daily_max);
    metrics_.set_api_projection(report.projection.total, report.daily_budget);
    apply_budget_plan(report);
    warn_about_api_version(report.version);
  } catch (const std::exception& e) {
    spdlog::debug("could not read the API calls of the last 24 hours: {}", e.what());
  }
}

void Daemon::Impl::warn_about_api_version(const ApiVersionNotice& notice) {
  // Once a day: loud enough to be seen in a journal, not so loud that it buries everything else.
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  if (!notice.warning || version_warned_on_ == today) return;
  version_warned_on_ = today;
  spdlog::warn("{}", *notice.warning);
}

void Daemon::Impl::apply_budget_plan(const ApiBudgetReport& report) {
  const auto& planned = report.plan.planned;
  metrics_.set_sweep_intervals(planned.full_sweep_interval, planned.association_sweep_interval);
  if (planned_schedule_ && planned_schedule_->full_sweep_interval == planned.full_sweep_interval &&
      planned_schedule_->association_sweep_interval == planned.association_sweep_interval)
    return;
  const bool was_stretched =
      planned_schedule_ &&
      (planned_schedule_->full_sweep_interval != report.plan.configured.full_sweep_interval ||
       planned_schedule_->association_sweep_interval != report.plan.configured.association_sweep_interval);
  planned_schedule_ = planned;
  rt_->engine().set_sweep_intervals(planned.full_sweep_interval, planned.association_sweep_interval);
  for (const auto& line : report.plan_lines) spdlog::warn("API budget: {}", line);
  if (was_stretched && !report.plan.stretched())
    spdlog::info("API budget: the sweeps fit hubspot.rate_limit.daily_share again; back to every {} / {}",
                 config::format_duration(planned.full_sweep_interval),
                 config::format_duration(planned.association_sweep_interval));
}

bool Daemon::Impl::rely_on_webhooks() const {
  return cfg_.webhooks.enabled &&
         (!webhook_missed_at_ || Clock::now() - *webhook_missed_at_ >= cfg_.webhooks.safety_interval);
}

void Daemon::Impl::note_missed_events(std::int64_t missed) {
  // A poll that finds changes no event announced means the webhook path is broken or lossy: poll at
  // sync.interval again until a whole safety_interval passes without such a finding.
  const bool relied = rely_on_webhooks();
  if (missed > 0) {
    metrics_.webhook_missed(missed);
    webhook_missed_at_ = Clock::now();
  }
  if (relied == rely_on_webhooks()) return;
  sched_.set_options(scheduler_options(cfg_, rely_on_webhooks()), Clock::now());
  if (relied)
    spdlog::warn("webhooks missed {} change(s): polling every {} until events are reliable again", missed,
                 seconds_text(cfg_.sync.interval));
  else
    spdlog::info("no change missed by webhooks for {}: polling every {} again",
                 seconds_text(cfg_.webhooks.safety_interval), seconds_text(sched_.options().interval));
}

void Daemon::Impl::on_progress(const core::Progress& p) {
  const auto now = Clock::now();
  last_activity_ = now;
  if (now - last_progress_status_ < kStatusProgressEvery) return;
  last_progress_status_ = now;
  progress_text_ = p.phase + " " + std::to_string(p.done) + (p.total ? "/" + std::to_string(*p.total) : "");
  update_status();
}

// ---- local changes ------------------------------------------------------------------------------------

void Daemon::Impl::on_local_change(std::size_t count) {
  metrics_.local_change_notified();
  if (!active()) return;
  spdlog::debug("{} local change notification(s)", count);
  sched_.local_change(Clock::now());
  wake_main();
}

void Daemon::Impl::on_events_stored(std::size_t count) {
  if (!active()) return;
  spdlog::debug("{} webhook delivery notification(s)", count);
  sched_.events_arrived(Clock::now());
  wake_main();
}

net::awaitable<void> Daemon::Impl::listener_loop() {
  auto& listener = *listener_;
  int failures = 0;
  bool connected_before = false;
  while (!stopping()) {
    std::string error;
    try {
      co_await core::run_blocking(rt_->control_executor(), [&] { listener.connect(); });
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (stopping()) break;
    if (!error.empty()) {
      const auto delay = backoff_delay(++failures, 1s, 30s, random01());
      if (failures == 1 || failures % 10 == 0)
        spdlog::warn("{}; retrying in {} (changes are still pushed every {})", error, seconds_text(delay),
                     seconds_text(cfg_.sync.interval));
      co_await sleep_until(listener_timer_, Clock::now() + delay);
      continue;
    }
    if (connected_before) {
      spdlog::info("listening for local changes again");
      on_local_change(0);  // whatever was written while we were not listening
    } else {
      spdlog::debug("listening for local changes of {}", scope_);
    }
    connected_before = true;
    failures = 0;
    listen_fd_.emplace(rt_->io(), ::dup(listener.socket()));
    while (!stopping()) {
      auto [ec] = co_await listen_fd_->async_wait(net::posix::stream_descriptor::wait_read,
                                                  net::as_tuple(net::use_awaitable));
      if (ec || stopping()) break;
      db::ChangeListener::Received n;
      try {
        n = listener.poll();
      } catch (const std::exception& e) {
        spdlog::warn("LISTEN connection lost: {}", e.what());
        break;
      }
      if (n.events > 0) on_events_stored(n.events);
      if (n.changes > 0) on_local_change(n.changes);
    }
    boost::system::error_code ignored;
    listen_fd_->close(ignored);
    listen_fd_.reset();
    listener.disconnect();
    if (!stopping()) co_await sleep_until(listener_timer_, Clock::now() + 200ms);
  }
  listener.disconnect();
}

// ---- Daemon -------------------------------------------------------------------------------------------

Daemon::Daemon(DaemonOptions options, config::AppConfig cfg, config::Secrets secrets)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(cfg), std::move(secrets))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace leadsync::daemon
