#pragma once
// Daemon::Impl, shared by the files that hold its parts: daemon.cpp (start-up, the main loop, cycles,
// stopping, local-change listening), leadership.cpp (the leader lock: standby and active), reload.cpp
// (SIGHUP) and daemon_status.cpp (STATUS=, /readyz, /metrics). The contract is in daemon.hpp.
#include <spdlog/spdlog.h>

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_budget.hpp"
#include "daemon.hpp"
#include "exit_codes.hpp"
#include "leadsync/db/change_listener.hpp"
#include "leadsync/db/leader_lock.hpp"
#include "metrics.hpp"
#include "metrics_server.hpp"
#include "runtime.hpp"
#include "scheduler.hpp"
#include "systemd_notify.hpp"
#include "webhook_intake.hpp"

namespace leadsync::daemon {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

inline constexpr auto kStandbyPoll = 1s;     // a standby tries the lock this often: takeover within ~1 s
inline constexpr auto kLeaderCheck = 2s;     // the active checks its lock session this often
inline constexpr auto kLeaseTimeout = 5s;    // a check slower than this counts as a lost lock
inline constexpr auto kOutboxRefresh = 15s;  // outbox gauge refresh while idle
inline constexpr auto kStopGrace = 30s;  // then the waits in flight are cancelled (TimeoutStopSec is 90 s)
inline constexpr auto kHolderLogEvery = 5min;  // how often a standby says who it waits for
inline constexpr auto kStatusProgressEvery = 2s;
inline constexpr auto kApiProjectionRefresh = 60s;

// Where the process is in its life. Each role is entered once, in this order, except standby <-> active,
// which alternate as the leader lock is won and lost; stopping can follow any role.
enum class Role {
  starting,  // metrics server up; migrations and the table check not done yet (retried while PostgreSQL is
             // down)
  standby,   // prepared; waiting for the leader lock
  active,    // holding the leader lock: cycles run
  stopping,  // a stop was requested: no new cycle starts; the lock is released once the batch in flight ends
  stopped,   // the main loop has closed everything: the remaining loops end
};

// What the main loop is doing right now: the watchdog trusts a loop that waits on purpose, and the
// leadership loop lets a cycle in flight finish before it gives up the lock.
enum class Activity { working, waiting, cycle };

std::string seconds_text(std::chrono::milliseconds d);
std::string join(const std::vector<std::string>& items, const char* sep = ", ");
// Sleeps until `deadline`, or until somebody cancels `timer` (an event the loop must look at). Never throws.
net::awaitable<void> sleep_until(net::steady_timer& timer, Clock::time_point deadline);
SchedulerOptions scheduler_options(const config::AppConfig& cfg, bool rely_on_webhooks);

class Daemon::Impl {
 public:
  Impl(DaemonOptions options, config::AppConfig cfg, config::Secrets secrets)
      : options_(std::move(options)),
        cfg_(cfg),
        secrets_(secrets),
        rt_(std::make_unique<Runtime>(std::move(cfg), secrets, options_.migrations_dir)),
        scope_(rt_->scope()),
        sched_(scheduler_options(cfg_, cfg_.webhooks.enabled), Clock::now()),
        wake_timer_(rt_->io()),
        leader_timer_(rt_->io()),
        lease_timer_(rt_->io()),
        listener_timer_(rt_->io()),
        watchdog_timer_(rt_->io()),
        grace_timer_(rt_->io()),
        signals_(rt_->io(), SIGTERM, SIGINT, SIGHUP) {
    lock_ = std::make_unique<db::LeaderLock>(rt_->dsn(), scope_);
    listener_ = std::make_unique<db::ChangeListener>(rt_->dsn(), scope_, cfg_.webhooks.enabled);
    metrics_.set_scope(scope_);
    rt_->set_progress_callback([this](const core::Progress& p) { on_progress(p); });
    // A push whose debounce ran out while a sweep runs is done by the sweep between two of its batches.
    rt_->set_yield_check([this] { return sched_.take_due_push(Clock::now()); });
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

  // Binds the webhooks receiver (when enabled); false when it cannot listen (exit code CONFIG).
  bool start_webhooks();
  net::awaitable<void> main_loop();
  net::awaitable<bool> start_up();
  net::awaitable<void> run_cycle(core::CycleKind kind);
  net::awaitable<void> apply_reload();
  net::awaitable<void> leader_loop();
  net::awaitable<void> listener_loop();
  net::awaitable<void> signal_loop();
  net::awaitable<void> watchdog_loop();
  net::awaitable<void> refresh_outbox();
  net::awaitable<void> refresh_inbox();
  net::awaitable<void> refresh_api_projection();
  void apply_budget_plan(const ApiBudgetReport& report);
  // Webhooks relied on: enabled, and no poll found a change they missed within webhooks.safety_interval.
  bool rely_on_webhooks() const;
  void note_missed_events(std::int64_t missed);
  void warn_about_api_version(const ApiVersionNotice& notice);

  void become_leader();
  void lose_leadership(const std::string& why);
  void on_local_change(std::size_t count);
  // Webhook events were stored: an events cycle at once, without the local-change debounce.
  void on_events_stored(std::size_t count);
  void on_progress(const core::Progress& p);
  void request_reload();
  void begin_stop(const std::string& reason);
  void wake_main() { wake_timer_.cancel(); }
  bool active() const { return role_ == Role::active; }
  bool stopping() const { return role_ == Role::stopping || role_ == Role::stopped; }
  bool cycle_running() const { return activity_ == Activity::cycle; }
  void update_status();
  // What the daemon is doing, as STATUS= (with the last error's text) and /readyz (without: anybody who
  // reaches the port reads it, and an error may carry a database's DETAIL) say it; computed from the same
  // fields as ready().
  std::string status_text(bool with_error = true) const;
  // The receiver's line of STATUS= and /readyz (webhook_state.hpp); `with_age` for /readyz.
  std::string webhooks_text(bool with_age) const;
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
  // Receives in every role: events are only stored (in the shared inbox), so a standby behind the same
  // reverse proxy acknowledges them as durably as the active instance.
  std::unique_ptr<WebhookIntake> webhooks_;
  std::unique_ptr<db::LeaderLock> lock_;
  std::unique_ptr<db::ChangeListener> listener_;
  std::optional<Clock::time_point> webhook_missed_at_;  // the last poll that found a change events missed
  std::optional<db::InboxStatus> inbox_;                // last read while active (webhooks enabled)

  net::steady_timer wake_timer_, leader_timer_, lease_timer_, listener_timer_, watchdog_timer_, grace_timer_;
  net::signal_set signals_;
  net::cancellation_signal cycle_cancel_;
  std::optional<net::posix::stream_descriptor> listen_fd_;

  Role role_ = Role::starting;
  Activity activity_ = Activity::working;
  int terms_ = 0;             // how often this process became active: only the first term honours --full
  bool healthy_ = true;       // the last cycle (or start-up step) reached PostgreSQL and HubSpot
  bool db_reachable_ = true;  // the standby's last lock attempt reached PostgreSQL
  int exit_code_ = kExitOk;
  std::string last_error_;
  std::string last_summary_;
  std::string progress_text_;
  Clock::time_point last_activity_ = Clock::now();
  Clock::time_point last_progress_status_{};
  Clock::time_point last_outbox_refresh_{};
  Clock::time_point last_api_refresh_{};
  std::optional<core::ApiSchedule> planned_schedule_;       // the sweep intervals last given to the engine
  std::optional<std::chrono::sys_days> version_warned_on_;  // the day of the last end-of-support warning
  std::optional<PendingReload> pending_reload_;
};

}  // namespace leadsync::daemon
