#include "daemon.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <optional>

#include "exit_codes.hpp"
#include "leadsync/config/config_error.hpp"
#include "leadsync/core/offload.hpp"
#include "leadsync/db/change_listener.hpp"
#include "leadsync/db/leader_lock.hpp"
#include "logging.hpp"
#include "metrics.hpp"
#include "metrics_server.hpp"
#include "runtime.hpp"
#include "scheduler.hpp"
#include "systemd_notify.hpp"

namespace leadsync::daemon {

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kStandbyPoll = 1s;       // a standby tries the lock this often: takeover within ~1 s
constexpr auto kLeaderCheck = 2s;       // the active checks its lock session this often
constexpr auto kLeaseTimeout = 5s;      // a check slower than this counts as a lost lock
constexpr auto kOutboxRefresh = 15s;    // outbox gauge refresh while idle
constexpr auto kStopGrace = 30s;        // then the waits in flight are cancelled (TimeoutStopSec is 90 s)
constexpr auto kHolderLogEvery = 5min;  // how often a standby says who it waits for
constexpr auto kStatusProgressEvery = 2s;

std::string seconds_text(std::chrono::milliseconds d) {
  char buf[32];
  if (d < 10s)
    std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(d.count()) / 1000.0);
  else
    std::snprintf(buf, sizeof buf, "%lld s", static_cast<long long>((d.count() + 500) / 1000));
  return buf;
}

SchedulerOptions scheduler_options(const config::AppConfig& cfg) {
  SchedulerOptions o;
  o.interval = cfg.sync.interval;
  o.debounce = cfg.sync.debounce;
  o.initial_backoff = 1s;
  // A failing HubSpot or PostgreSQL is retried at least every sync.interval, and at most every minute.
  o.max_backoff =
      std::max<std::chrono::milliseconds>(std::min<std::chrono::milliseconds>(cfg.sync.interval, 60s), 5s);
  return o;
}

// What changed between two configurations, by top-level section (for the reload log line).
std::vector<std::string> changed_sections(const config::AppConfig& a, const config::AppConfig& b,
                                          const config::Secrets& sa, const config::Secrets& sb) {
  std::vector<std::string> out;
  if (!(a.hubspot == b.hubspot)) out.push_back("hubspot");
  if (!(sa.access_token == sb.access_token) || !(sa.oauth.has_value() == sb.oauth.has_value()) ||
      (sa.oauth && sb.oauth &&
       !(sa.oauth->client_secret == sb.oauth->client_secret &&
         sa.oauth->refresh_token == sb.oauth->refresh_token)))
    out.push_back("hubspot credentials");
  if (!(a.sync == b.sync)) out.push_back("sync");
  if (!(a.mappings == b.mappings)) out.push_back("mappings");
  if (!(a.associations == b.associations)) out.push_back("associations");
  if (!(a.logging == b.logging)) out.push_back("logging");
  return out;
}

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// Sleeps until `deadline`, or until somebody cancels `timer` (an event the loop must look at). Never throws.
net::awaitable<void> sleep_until(net::steady_timer& timer, Clock::time_point deadline) {
  timer.expires_at(deadline);
  co_await timer.async_wait(net::as_tuple(net::use_awaitable));
}

}  // namespace

class Daemon::Impl {
 public:
  Impl(DaemonOptions options, config::AppConfig cfg, config::Secrets secrets)
      : options_(std::move(options)),
        cfg_(cfg),
        secrets_(secrets),
        rt_(std::make_unique<Runtime>(std::move(cfg), secrets, options_.migrations_dir)),
        scope_(rt_->scope()),
        sched_(scheduler_options(cfg_), Clock::now()),
        wake_timer_(rt_->io()),
        leader_timer_(rt_->io()),
        lease_timer_(rt_->io()),
        listener_timer_(rt_->io()),
        watchdog_timer_(rt_->io()),
        grace_timer_(rt_->io()),
        signals_(rt_->io(), SIGTERM, SIGINT, SIGHUP) {
    lock_ = std::make_unique<db::LeaderLock>(rt_->dsn(), scope_);
    listener_ = std::make_unique<db::ChangeListener>(rt_->dsn(), scope_);
    metrics_.set_scope(scope_);
    rt_->set_progress_callback([this](const core::Progress& p) { on_progress(p); });
  }

  int run();

 private:
  template <typename F>
  void spawn(const char* name, F&& make) {
    net::co_spawn(rt_->io(), std::forward<F>(make)(), [this, name](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::critical("internal error in {}: {}", name, ex.what());
      }
      // An internal error must not leave a half-working daemon behind: stop and let systemd restart it.
      exit_code_ = kExitSoftware;
      begin_stop("internal error");
    });
  }

  net::awaitable<void> main_loop();
  net::awaitable<bool> start_up();
  net::awaitable<void> run_cycle(core::CycleKind kind);
  net::awaitable<void> apply_reload();
  net::awaitable<void> leader_loop();
  net::awaitable<void> listener_loop();
  net::awaitable<void> signal_loop();
  net::awaitable<void> watchdog_loop();
  net::awaitable<void> refresh_outbox();

  void become_leader();
  void lose_leadership(const std::string& why);
  void on_local_change(std::size_t count);
  void on_progress(const core::Progress& p);
  void request_reload();
  void begin_stop(const std::string& reason);
  void wake_main() { wake_timer_.cancel(); }
  void update_status();
  // What the daemon is doing, as STATUS= and /readyz say it; computed from the same fields as ready().
  std::string status_text() const;
  bool ready() const;
  double random01() { return rt_->random().uniform(); }
  HttpReply handle_http(const std::string& method, const std::string& target);

  struct PendingReload {
    config::AppConfig cfg;
    config::Secrets secrets;
    std::vector<std::string> changed;
  };

  DaemonOptions options_;
  config::AppConfig cfg_;
  config::Secrets secrets_;
  std::unique_ptr<Runtime> rt_;
  std::string scope_;
  Scheduler sched_;
  Metrics metrics_;
  SystemdNotifier notifier_;
  std::unique_ptr<MetricsServer> metrics_server_;
  std::unique_ptr<db::LeaderLock> lock_;
  std::unique_ptr<db::ChangeListener> listener_;

  net::steady_timer wake_timer_, leader_timer_, lease_timer_, listener_timer_, watchdog_timer_, grace_timer_;
  net::signal_set signals_;
  net::cancellation_signal cycle_cancel_;
  std::optional<net::posix::stream_descriptor> listen_fd_;

  bool stopping_ = false;
  bool finished_ = false;
  bool prepared_ = false;
  bool leader_ = false;
  bool ever_leader_ = false;
  bool cycle_running_ = false;
  bool main_waiting_ = false;
  bool healthy_ = true;       // the last cycle (or start-up step) reached PostgreSQL and HubSpot
  bool db_reachable_ = true;  // the standby's last lock attempt reached PostgreSQL
  int exit_code_ = kExitOk;
  std::string last_error_;
  std::string last_summary_;
  std::string progress_text_;
  Clock::time_point last_activity_ = Clock::now();
  Clock::time_point last_progress_status_{};
  Clock::time_point last_outbox_refresh_{};
  std::optional<PendingReload> pending_reload_;
};

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
  spawn("signal handling", [this] { return signal_loop(); });
  spawn("watchdog", [this] { return watchdog_loop(); });
  spawn("main loop", [this] { return main_loop(); });
  rt_->io().run();
  spdlog::info("leadsync stopped (exit code {})", exit_code_);
  return exit_code_;
}

net::awaitable<bool> Daemon::Impl::start_up() {
  int attempt = 0;
  while (!stopping_) {
    std::string error;
    bool fatal = false;
    last_activity_ = Clock::now();
    try {
      co_await core::run_blocking(rt_->db_executor(), [&] { rt_->prepare(); });
      co_return true;
    } catch (const core::Error& e) {
      error = e.what();
      fatal = !e.is_transient();
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (fatal) {
      spdlog::critical("cannot start: {}", error);
      exit_code_ = kExitConfig;
      begin_stop("start-up failed");
      co_return false;
    }
    const auto delay = backoff_delay(++attempt, 1s, 30s, random01());
    spdlog::warn("PostgreSQL is not available ({}); retrying in {}", error, seconds_text(delay));
    healthy_ = false;
    last_error_ = error;
    notifier_.status("starting: waiting for PostgreSQL: " + error);
    main_waiting_ = true;
    co_await sleep_until(wake_timer_, Clock::now() + delay);
    main_waiting_ = false;
  }
  co_return false;
}

net::awaitable<void> Daemon::Impl::main_loop() {
  if (co_await start_up()) {
    prepared_ = true;
    healthy_ = true;
    last_error_.clear();
    spawn("leader lock", [this] { return leader_loop(); });
    spawn("change listener", [this] { return listener_loop(); });
    notifier_.ready("ready: waiting for the leader lock of " + scope_);
    spdlog::info("ready: schema of {} checked; waiting for the leader lock", scope_);
  }
  while (!stopping_) {
    last_activity_ = Clock::now();
    if (pending_reload_) {
      co_await apply_reload();
      continue;
    }
    if (!leader_) {
      update_status();
      main_waiting_ = true;
      co_await sleep_until(wake_timer_, Clock::now() + 1h);
      main_waiting_ = false;
      continue;
    }
    const auto d = sched_.next(Clock::now());
    if (d.action == Decision::Action::wait) {
      update_status();
      main_waiting_ = true;
      co_await sleep_until(wake_timer_, d.wake_at);
      main_waiting_ = false;
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
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  finished_ = true;
  watchdog_timer_.cancel();
  leader_timer_.cancel();
  listener_timer_.cancel();
  if (listen_fd_) listen_fd_->cancel(ignored);
}

void Daemon::Impl::begin_stop(const std::string& reason) {
  if (stopping_) return;
  stopping_ = true;
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
    if (ec || finished_) return;
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
    if (!stopping_) {
      begin_stop(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    } else if (!finished_) {
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
  while (!finished_) {
    const auto now = Clock::now();
    const auto active = std::max(last_activity_, rt_->api_stats().last_activity());
    if (main_waiting_ || now - active < stall_limit)
      notifier_.watchdog();
    else
      spdlog::error("no sign of life from the sync loop for {} s: not pinging the systemd watchdog",
                    std::chrono::duration_cast<std::chrono::seconds>(now - active).count());
    co_await sleep_until(watchdog_timer_, now + ping_every);
  }
}

// ---- cycles -------------------------------------------------------------------------------------------

net::awaitable<void> Daemon::Impl::run_cycle(core::CycleKind kind) {
  sched_.cycle_started(kind);
  cycle_running_ = true;
  progress_text_.clear();
  update_status();
  const auto started = Clock::now();
  std::optional<core::CycleReport> report;
  std::string error;
  bool transient = true;
  std::optional<std::chrono::milliseconds> retry_after;
  try {
    report = co_await net::co_spawn(rt_->io(), rt_->cycle(core::CycleRequest{kind, false}),
                                    net::bind_cancellation_slot(cycle_cancel_.slot(), net::use_awaitable));
  } catch (const core::Error& e) {
    error = e.what();
    transient = e.is_transient();
    retry_after = e.details().retry_after;
    if (!e.details().correlation_id.empty()) error += " (correlation id " + e.details().correlation_id + ")";
  } catch (const std::exception& e) {
    error = e.what();
  }
  cycle_running_ = false;
  progress_text_.clear();
  const auto now = Clock::now();
  last_activity_ = now;
  const std::chrono::duration<double> took = now - started;
  if (report) {
    metrics_.cycle_finished(*report, took);
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
  } else {
    metrics_.cycle_failed(kind, took);
    if (!stopping_ && leader_) {
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
  if (!leader_ || stopping_) co_return;
  last_outbox_refresh_ = Clock::now();
  try {
    auto depth = co_await core::run_blocking(rt_->control_executor(), [&] { return lock_->outbox_depth(); });
    metrics_.set_outbox(depth);
  } catch (const std::exception& e) {
    spdlog::debug("could not count pending changes: {}", e.what());
  }
}

void Daemon::Impl::on_progress(const core::Progress& p) {
  const auto now = Clock::now();
  last_activity_ = now;
  if (now - last_progress_status_ < kStatusProgressEvery) return;
  last_progress_status_ = now;
  progress_text_ = p.phase + " " + std::to_string(p.done) + (p.total ? "/" + std::to_string(*p.total) : "");
  update_status();
}

// ---- leadership -------------------------------------------------------------------------------------

void Daemon::Impl::become_leader() {
  if (stopping_) return;
  leader_ = true;
  metrics_.set_leader(true);
  rt_->engine().clear_stop();
  // The previous leader may have died mid-cycle: start with a cycle at once (the engine resumes a full
  // sweep from its saved cursor).
  sched_.due_now(Clock::now(), !ever_leader_ && options_.start_with_full);
  ever_leader_ = true;
  spdlog::info("active: holding the leader lock for {} (advisory lock key {})", scope_, lock_->key());
  metrics_.set_ready(ready());
  wake_main();
}

void Daemon::Impl::lose_leadership(const std::string& why) {
  if (!leader_) return;
  leader_ = false;
  metrics_.set_leader(false);
  rt_->engine().request_stop();
  spdlog::error(
      "{}: no longer active; stopping work at the next batch boundary, standby until the lock is free", why);
  metrics_.set_ready(ready());
  wake_main();
}

net::awaitable<void> Daemon::Impl::leader_loop() {
  auto& lock = *lock_;
  Clock::time_point last_holder_log{};
  std::string last_lock_error;
  while (!stopping_) {
    if (!leader_) {
      bool got = false;
      std::string error;
      try {
        got = co_await core::run_blocking(rt_->control_executor(), [&] { return lock.try_acquire(); });
      } catch (const std::exception& e) {
        error = e.what();
      }
      db_reachable_ = error.empty();
      if (stopping_) break;
      if (got) {
        last_lock_error.clear();
        become_leader();
        continue;
      }
      if (!error.empty()) {
        if (error != last_lock_error) spdlog::warn("cannot reach PostgreSQL for the leader lock: {}", error);
        last_lock_error = error;
      } else {
        if (!last_lock_error.empty()) spdlog::info("PostgreSQL answers again");
        last_lock_error.clear();
        if (last_holder_log == Clock::time_point{} || Clock::now() - last_holder_log >= kHolderLogEvery) {
          last_holder_log = Clock::now();
          auto holder = co_await core::run_blocking(rt_->control_executor(), [&] { return lock.holder(); });
          if (holder)
            spdlog::info(
                "standby: {} is synced by another leadsync (PostgreSQL backend {}, {}{}{}, since {}); "
                "taking over when it stops",
                scope_, holder->pid, holder->application_name, holder->client.empty() ? "" : " from ",
                holder->client, holder->since);
          else
            spdlog::info("standby: waiting for the leader lock of {}", scope_);
        }
      }
      metrics_.set_ready(ready());
      update_status();
      co_await sleep_until(leader_timer_, Clock::now() + kStandbyPoll);
      continue;
    }

    // Active: prove we still hold the lock. A check that hangs (network trouble) counts as lost after the
    // lease timeout, even before the blocking call returns.
    lease_timer_.expires_after(kLeaseTimeout);
    lease_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) lose_leadership("the leader lock check did not answer within 5 s");
    });
    const bool ok = co_await core::run_blocking(rt_->control_executor(), [&] { return lock.check(); });
    lease_timer_.cancel();
    if (!ok || !leader_) {
      lose_leadership("lost the PostgreSQL session holding the leader lock");
      // Let the batch in flight finish before the session (and the lock) goes, so that a standby cannot
      // start while it is still writing.
      while (cycle_running_) co_await sleep_until(leader_timer_, Clock::now() + 100ms);
      co_await core::run_blocking(rt_->control_executor(), [&] { lock.release(); });
      continue;
    }
    if (!cycle_running_ && Clock::now() - last_outbox_refresh_ >= kOutboxRefresh) co_await refresh_outbox();
    co_await sleep_until(leader_timer_, Clock::now() + kLeaderCheck);
  }
  // Give the lock up explicitly so that a standby takes over at once, not when our session times out.
  while (cycle_running_) co_await sleep_until(leader_timer_, Clock::now() + 100ms);
  co_await core::run_blocking(rt_->control_executor(), [&] { lock.release(); });
  if (leader_) {
    leader_ = false;
    metrics_.set_leader(false);
  }
}

// ---- local changes ------------------------------------------------------------------------------------

void Daemon::Impl::on_local_change(std::size_t count) {
  metrics_.local_change_notified();
  if (!leader_ || stopping_) return;
  spdlog::debug("{} local change notification(s)", count);
  sched_.local_change(Clock::now());
  wake_main();
}

net::awaitable<void> Daemon::Impl::listener_loop() {
  auto& listener = *listener_;
  int failures = 0;
  bool connected_before = false;
  while (!stopping_) {
    std::string error;
    try {
      co_await core::run_blocking(rt_->control_executor(), [&] { listener.connect(); });
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (stopping_) break;
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
    while (!stopping_) {
      auto [ec] = co_await listen_fd_->async_wait(net::posix::stream_descriptor::wait_read,
                                                  net::as_tuple(net::use_awaitable));
      if (ec || stopping_) break;
      std::size_t n = 0;
      try {
        n = listener.poll();
      } catch (const std::exception& e) {
        spdlog::warn("LISTEN connection lost: {}", e.what());
        break;
      }
      if (n > 0) on_local_change(n);
    }
    boost::system::error_code ignored;
    listen_fd_->close(ignored);
    listen_fd_.reset();
    listener.disconnect();
    if (!stopping_) co_await sleep_until(listener_timer_, Clock::now() + 200ms);
  }
  listener.disconnect();
}

// ---- reload -----------------------------------------------------------------------------------------

void Daemon::Impl::request_reload() {
  spdlog::info("SIGHUP: reloading {}", options_.config_path);
  config::AppConfig next;
  config::Secrets secrets;
  try {
    next = config::load_config_file(options_.config_path);
    secrets = config::resolve_secrets(next);
  } catch (const config::ConfigError& e) {
    spdlog::error("reload failed, keeping the running configuration:\n{}", e.what());
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
  if (cycle_running_) spdlog::info("reload: applying after the cycle in progress");
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
  sched_.set_options(scheduler_options(cfg_), Clock::now());
  sched_.reset_backoff();
  if (leader_)
    rt_->engine().clear_stop();
  else
    rt_->engine().request_stop();
  metrics_.config_reload(true);
  spdlog::info("configuration reloaded from {} (changed: {})", options_.config_path, join(r.changed));
}

// ---- status, health, metrics --------------------------------------------------------------------------

bool Daemon::Impl::ready() const {
  if (!prepared_ || stopping_) return false;
  return leader_ ? healthy_ : db_reachable_;
}

std::string Daemon::Impl::status_text() const {
  std::string s;
  if (stopping_) {
    s = "stopping";
  } else if (!prepared_) {
    s = "starting: " + (last_error_.empty() ? std::string("preparing the database")
                                            : "waiting for PostgreSQL: " + last_error_);
  } else if (!leader_) {
    s = db_reachable_ ? "standby: another leadsync is active for " + scope_
                      : "standby: PostgreSQL unavailable";
  } else if (cycle_running_) {
    // A retry after a failed cycle is still not ready: the status (and /readyz) says why, not only "syncing".
    s = healthy_ ? std::string("active: syncing") : "active, backing off: " + last_error_ + "; retrying now";
    if (!progress_text_.empty()) s += " (" + progress_text_ + ")";
    if (!last_summary_.empty()) s += "; " + last_summary_;
  } else if (!healthy_) {
    const auto retry = sched_.retry_at();
    s = "active, backing off: " + last_error_;
    if (retry) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*retry - Clock::now());
      s += " (retry in " + seconds_text(std::max(left, std::chrono::milliseconds(0))) + ")";
    }
  } else {
    s = "active: " + (last_summary_.empty() ? std::string("idle") : last_summary_);
  }
  return s;
}

void Daemon::Impl::update_status() {
  metrics_.set_ready(ready());
  notifier_.status(status_text());
}

HttpReply Daemon::Impl::handle_http(const std::string&, const std::string& target) {
  const std::string path = target.substr(0, target.find('?'));
  if (path == "/metrics") {
    RateLimiterView view;
    auto& l = rt_->limiter();
    view.ten_secondly_capacity = l.capacity(hubspot::RatePolicy::ten_secondly);
    view.ten_secondly_in_use = l.in_use(hubspot::RatePolicy::ten_secondly);
    view.search_capacity = l.capacity(hubspot::RatePolicy::search);
    view.search_in_use = l.in_use(hubspot::RatePolicy::search);
    view.daily_used = l.daily_used();
    view.daily_exhausted = l.daily_exhausted_until().has_value();
    metrics_.set_ready(ready());
    return {200, "text/plain; version=0.0.4; charset=utf-8",
            metrics_.render(rt_->api_stats().snapshot(), view)};
  }
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", stopping_ ? "stopping\n" : "ok\n"};
  if (path == "/readyz") {
    if (ready()) return {200, "text/plain; charset=utf-8", leader_ ? "ready: active\n" : "ready: standby\n"};
    // Said from the fields ready() read just now, not from the last STATUS= sent: between a failed cycle and
    // its status update (the outbox is counted in between) that still said "syncing".
    return {503, "text/plain; charset=utf-8", "not ready: " + status_text() + "\n"};
  }
  if (path == "/") return {200, "text/plain; charset=utf-8", "leadsync: /metrics /healthz /readyz\n"};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

// ---- Daemon -------------------------------------------------------------------------------------------

Daemon::Daemon(DaemonOptions options, config::AppConfig cfg, config::Secrets secrets)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(cfg), std::move(secrets))) {}

Daemon::~Daemon() = default;

int Daemon::run() {
  return impl_->run();
}

}  // namespace leadsync::daemon
