#include "daemon_impl.hpp"

#include "leadsync/core/offload.hpp"

namespace leadsync::daemon {

// ---- leadership -------------------------------------------------------------------------------------

void Daemon::Impl::become_leader() {
  if (role_ != Role::standby) return;
  role_ = Role::active;
  metrics_.set_leader(true);
  rt_->engine().clear_stop();
  // The previous leader may have died mid-cycle: start with a cycle at once (the engine resumes a full
  // sweep from its saved cursor).
  sched_.due_now(Clock::now(), terms_ == 0 && options_.start_with_full);
  ++terms_;
  spdlog::info("active: holding the leader lock for {} (advisory lock key {})", scope_, lock_->key());
  metrics_.set_ready(ready());
  wake_main();
}

void Daemon::Impl::lose_leadership(const std::string& why) {
  if (role_ != Role::active) return;
  role_ = Role::standby;
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
  while (!stopping()) {
    if (!active()) {
      bool got = false;
      std::string error;
      try {
        got = co_await core::run_blocking(rt_->control_executor(), [&] { return lock.try_acquire(); });
      } catch (const std::exception& e) {
        error = e.what();
      }
      db_reachable_ = error.empty();
      if (stopping()) break;
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
    if (!ok || !active()) {
      lose_leadership("lost the PostgreSQL session holding the leader lock");
      // Let the batch in flight finish before the session (and the lock) goes, so that a standby cannot
      // start while it is still writing.
      while (cycle_running()) co_await sleep_until(leader_timer_, Clock::now() + 100ms);
      co_await core::run_blocking(rt_->control_executor(), [&] { lock.release(); });
      continue;
    }
    if (!cycle_running() && Clock::now() - last_outbox_refresh_ >= kOutboxRefresh) co_await refresh_outbox();
    co_await sleep_until(leader_timer_, Clock::now() + kLeaderCheck);
  }
  // Give the lock up explicitly so that a standby takes over at once, not when our session times out.
  while (cycle_running()) co_await sleep_until(leader_timer_, Clock::now() + 100ms);
  co_await core::run_blocking(rt_->control_executor(), [&] { lock.release(); });
  metrics_.set_leader(false);
}

}  // namespace leadsync::daemon
