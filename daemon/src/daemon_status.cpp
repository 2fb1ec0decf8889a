#include "daemon_impl.hpp"
#include "webhook_state.hpp"

namespace leadsync::daemon {

// ---- status, health, metrics --------------------------------------------------------------------------

bool Daemon::Impl::ready() const {
  switch (role_) {
    case Role::active:
      return healthy_;
    case Role::standby:
      return db_reachable_;
    case Role::starting:
    case Role::stopping:
    case Role::stopped:
      return false;
  }
  return false;
}

std::string Daemon::Impl::status_text(bool with_error) const {
  const std::string error = with_error ? last_error_ : std::string("see the log");
  switch (role_) {
    case Role::stopping:
    case Role::stopped:
      return "stopping";
    case Role::starting:
      return "starting: " + (last_error_.empty() ? std::string("preparing the database")
                                                 : "waiting for PostgreSQL: " + error);
    case Role::standby:
      return db_reachable_ ? "standby: another leadsync is active for " + scope_
                           : "standby: PostgreSQL unavailable";
    case Role::active:
      break;
  }
  std::string s;
  if (cycle_running()) {
    // A retry after a failed cycle is still not ready: the status (and /readyz) says why, not only "syncing".
    s = healthy_ ? std::string("active: syncing") : "active, backing off: " + error + "; retrying now";
    if (!progress_text_.empty()) s += " (" + progress_text_ + ")";
    if (!last_summary_.empty()) s += "; " + last_summary_;
  } else if (!healthy_) {
    const auto retry = sched_.retry_at();
    s = "active, backing off: " + error;
    if (retry) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*retry - Clock::now());
      s += " (retry in " + seconds_text(std::max(left, std::chrono::milliseconds(0))) + ")";
    }
  } else {
    s = "active: " + (last_summary_.empty() ? std::string("idle") : last_summary_);
  }
  return s;
}

std::string Daemon::Impl::webhooks_text(bool with_age) const {
  WebhookState state;
  state.enabled = cfg_.webhooks.enabled;
  state.listening = webhooks_ && !stopping();
  state.active = active();
  state.relied_on = rely_on_webhooks();
  state.poll_interval = sched_.options().interval;
  state.inbox = inbox_;
  std::optional<std::int64_t> now_ms;
  if (with_age)
    now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  return webhook_state_text(state, now_ms);
}

void Daemon::Impl::update_status() {
  metrics_.set_ready(ready());
  notifier_.status(status_text() + "; " + webhooks_text(false));
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
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", stopping() ? "stopping\n" : "ok\n"};
  if (path == "/readyz") {
    // The verdict stays alone on the first line (probes read it); the receiver's state follows.
    const std::string webhooks = webhooks_text(true) + "\n";
    if (ready())
      return {200, "text/plain; charset=utf-8",
              (active() ? "ready: active\n" : "ready: standby\n") + webhooks};
    // Said from the fields ready() read just now, not from the last STATUS= sent: between a failed cycle and
    // its status update (the outbox is counted in between) that still said "syncing".
    return {503, "text/plain; charset=utf-8", "not ready: " + status_text(false) + "\n" + webhooks};
  }
  if (path == "/") return {200, "text/plain; charset=utf-8", "leadsync: /metrics /healthz /readyz\n"};
  return {404, "text/plain; charset=utf-8", "not found\n"};
}

}  // namespace leadsync::daemon
