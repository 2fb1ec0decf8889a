#include "metrics.hpp"

#include <cstdio>
#include <cstdlib>

namespace leadsync::daemon {

namespace {

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Shortest text that reads back as the same double ("0.05", not "0.050000000000000003").
std::string number(double v) {
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string mode_of(core::CycleKind kind) {
  switch (kind) {
    case core::CycleKind::push_only:
      return "push";
    case core::CycleKind::events:
      return "events";
    case core::CycleKind::full:
      return "full";
    case core::CycleKind::automatic:
      return "incremental";
  }
  return "incremental";
}

class Writer {
 public:
  void header(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const std::string& name, const std::vector<std::pair<std::string, std::string>>& labels,
              double value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k + "=\"" + prometheus_escape(v) + "\"";
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }
  void metric(const char* name, const char* type, const char* help, double value) {
    header(name, type, help);
    sample(name, {}, value);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Counted when a cycle ends (its calls split by activity); the projection is refreshed from leadsync.runs.
void write_outbox(Writer& w, const std::optional<db::OutboxDepth>& outbox) {
  if (!outbox) return;
  w.header("leadsync_outbox_changes", "gauge", "Local changes waiting in leadsync.changes, by state.");
  w.sample("leadsync_outbox_changes", {{"state", "new"}}, static_cast<double>(outbox->fresh));
  w.sample("leadsync_outbox_changes", {{"state", "pending"}}, static_cast<double>(outbox->pending));
  w.sample("leadsync_outbox_changes", {{"state", "failed"}}, static_cast<double>(outbox->failed));
}

// Absent until the inbox was read once (the active instance, webhooks enabled); the timestamp until an event
// arrived, so that `time() - ...` alerts cannot fire on a receiver nobody has sent anything to yet.
void write_inbox(Writer& w, const std::optional<db::InboxStatus>& inbox) {
  if (!inbox) return;
  w.metric("leadsync_webhook_inbox_unapplied", "gauge",
           "Webhook events stored in leadsync.inbox that no cycle has applied yet.",
           static_cast<double>(inbox->unapplied));
  if (inbox->last_received_ms)
    w.metric("leadsync_webhook_last_event_timestamp_seconds", "gauge",
             "When the newest webhook event in leadsync.inbox was received, Unix time.",
             static_cast<double>(*inbox->last_received_ms) / 1000.0);
}

// Absent until the first request: a daemon without webhooks.enabled shows no such series.
void write_webhook_requests(Writer& w, const std::map<std::string, std::uint64_t>& by_outcome) {
  if (by_outcome.empty()) return;
  w.header("leadsync_webhook_requests_total", "counter",
           "Webhook requests by outcome (accepted, unavailable = 503, or why they were refused).");
  for (const auto& [outcome, count] : by_outcome)
    w.sample("leadsync_webhook_requests_total", {{"outcome", outcome}}, static_cast<double>(count));
}

void write_api_activity(Writer& w, const core::ApiCallsByActivity& calls,
                        const std::optional<std::pair<std::int64_t, std::int64_t>>& projection) {
  w.header("leadsync_api_calls_total", "counter",
           "HubSpot API calls of finished cycles, by what they were for.");
  for (std::size_t i = 0; i < calls.size(); ++i)
    w.sample("leadsync_api_calls_total", {{"activity", core::to_string(static_cast<core::ApiActivity>(i))}},
             static_cast<double>(calls[i]));
  if (!projection) return;
  w.metric(
      "leadsync_api_budget_projected_daily_calls", "gauge",
      "HubSpot API calls the next 24 h will take at the configured schedule (from the last 24 h of runs).",
      static_cast<double>(projection->first));
  w.metric("leadsync_api_budget_daily_calls", "gauge",
           "The portal's daily API budget (as HubSpot reported it, else hubspot.rate_limit.daily); 0 = none.",
           static_cast<double>(projection->second));
}

void write_sweep_intervals(
    Writer& w,
    const std::optional<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>>& intervals) {
  if (!intervals) return;
  w.header("leadsync_sweep_interval_seconds", "gauge",
           "Planned time between sweeps: the configured interval, or longer when the sweeps would take more "
           "than hubspot.rate_limit.daily_share of the daily budget.");
  w.sample("leadsync_sweep_interval_seconds", {{"sweep", "full"}},
           std::chrono::duration<double>(intervals->first).count());
  w.sample("leadsync_sweep_interval_seconds", {{"sweep", "association"}},
           std::chrono::duration<double>(intervals->second).count());
}

}  // namespace

std::string prometheus_escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

const std::vector<double>& Metrics::duration_buckets() {
  static const std::vector<double> buckets{0.05, 0.1, 0.25, 0.5, 1,   2.5,  5,   10,
                                           30,   60,  120,  300, 900, 1800, 3600};
  return buckets;
}

Metrics::Metrics() : started_unix_(unix_now()) {}

void Metrics::cycle_finished(const core::CycleReport& report, std::chrono::duration<double> duration) {
  std::lock_guard lock(mutex_);
  const auto& r = report.record;
  totals_ += r.counts;
  ++cycles_[{r.mode, r.status}];
  auto& h = durations_[r.mode];
  const auto& buckets = duration_buckets();
  if (h.counts.empty()) h.counts.assign(buckets.size(), 0);
  for (std::size_t i = 0; i < buckets.size(); ++i)
    if (duration.count() <= buckets[i]) {
      ++h.counts[i];
      break;
    }
  ++h.count;
  h.sum += duration.count();
  events_applied_ += static_cast<std::uint64_t>(report.events_applied);
  events_needless_ += static_cast<std::uint64_t>(report.events_needless);
  skipped_bad_id_ += static_cast<std::uint64_t>(std::max<std::int64_t>(report.skipped_bad_id, 0));
  last_cycle_unix_ = unix_now();
  if (r.status == "success" || r.status == "partial") last_success_unix_ = *last_cycle_unix_;
}

void Metrics::cycle_failed(core::CycleKind kind, std::chrono::duration<double> duration) {
  std::lock_guard lock(mutex_);
  const std::string mode = mode_of(kind);
  ++cycles_[{mode, "failed"}];
  auto& h = durations_[mode];
  const auto& buckets = duration_buckets();
  if (h.counts.empty()) h.counts.assign(buckets.size(), 0);
  for (std::size_t i = 0; i < buckets.size(); ++i)
    if (duration.count() <= buckets[i]) {
      ++h.counts[i];
      break;
    }
  ++h.count;
  h.sum += duration.count();
  last_cycle_unix_ = unix_now();
}

void Metrics::set_leader(bool leader) {
  std::lock_guard lock(mutex_);
  leader_ = leader;
}

void Metrics::set_ready(bool ready) {
  std::lock_guard lock(mutex_);
  ready_ = ready;
}

void Metrics::set_outbox(const db::OutboxDepth& depth) {
  std::lock_guard lock(mutex_);
  outbox_ = depth;
}

void Metrics::set_api_projection(std::int64_t projected_daily_calls, std::int64_t daily_budget) {
  std::lock_guard lock(mutex_);
  api_projection_ = {projected_daily_calls, daily_budget};
}

void Metrics::set_sweep_intervals(std::chrono::milliseconds full_sweep,
                                  std::chrono::milliseconds association_sweep) {
  std::lock_guard lock(mutex_);
  sweep_intervals_ = {full_sweep, association_sweep};
}

void Metrics::local_change_notified() {
  std::lock_guard lock(mutex_);
  ++notifications_;
}

void Metrics::config_reload(bool ok) {
  std::lock_guard lock(mutex_);
  ++(ok ? reloads_ok_ : reloads_failed_);
}

void Metrics::webhook_missed(std::int64_t n) {
  std::lock_guard lock(mutex_);
  events_missed_ = events_missed_.value_or(0) + static_cast<std::uint64_t>(std::max<std::int64_t>(n, 0));
}

void Metrics::set_inbox(const db::InboxStatus& inbox) {
  std::lock_guard lock(mutex_);
  inbox_ = inbox;
}

void Metrics::webhook_request(const std::string& outcome) {
  std::lock_guard lock(mutex_);
  ++webhook_requests_[outcome];
}

void Metrics::set_scope(std::string scope) {
  std::lock_guard lock(mutex_);
  scope_ = std::move(scope);
}

namespace {

// Deprecation / Sunset announcements HubSpot's responses carried, per API version. One HubSpot has not
// repeated for a day (the notice was withdrawn, or hubspot.api_version was switched away from it) is gone.
void write_deprecations(Writer& w, const std::map<hubspot::ApiVersion, hubspot::DeprecationNotice>& notices) {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  auto current = [&](const hubspot::DeprecationNotice& n) {
    return now - n.last_seen < hubspot::kDeprecationRelog;
  };
  w.header(
      "leadsync_hubspot_api_sunset_timestamp_seconds", "gauge",
      "Sunset date HubSpot announced for the API version (Sunset response header), Unix time; absent when "
      "none.");
  for (const auto& [version, n] : notices)
    if (current(n) && n.sunset)
      w.sample("leadsync_hubspot_api_sunset_timestamp_seconds",
               {{"version", std::string(hubspot::to_string(version))}},
               static_cast<double>(n.sunset->time_since_epoch().count()));
  w.header(
      "leadsync_hubspot_api_deprecated", "gauge",
      "1 when HubSpot announced the API version deprecated (Deprecation response header); absent when not.");
  for (const auto& [version, n] : notices)
    if (current(n) && n.deprecated)
      w.sample("leadsync_hubspot_api_deprecated", {{"version", std::string(hubspot::to_string(version))}}, 1);
}

// HubSpot's side: requests by route and status, 429s, time spent, the budgets HubSpot reports and the
// client-side limiter.
void write_hubspot(Writer& w, const ApiStats::Snapshot& api, const RateLimiterView& limiter) {
  w.header("leadsync_hubspot_requests_total", "counter",
           "HTTP exchanges with HubSpot by endpoint route and status (0 = no response).");
  for (const auto& [key, count] : api.calls_by_route_status)
    w.sample("leadsync_hubspot_requests_total",
             {{"route", key.first}, {"status", std::to_string(key.second)}}, static_cast<double>(count));
  w.header("leadsync_hubspot_rate_limited_total", "counter",
           "429 answers from HubSpot by rate-limit policy.");
  for (const auto& [policy, count] : api.rate_limited_by_policy)
    w.sample("leadsync_hubspot_rate_limited_total", {{"policy", policy}}, static_cast<double>(count));
  w.metric("leadsync_hubspot_request_seconds_total", "counter", "Time spent in HubSpot requests.",
           api.call_seconds_total);
  w.metric("leadsync_hubspot_wait_seconds_total", "counter",
           "Time spent waiting for rate limits and backoff.", api.wait_seconds_total);
  w.header("leadsync_hubspot_rate_budget_remaining", "gauge",
           "Requests left as HubSpot last reported them (X-HubSpot-RateLimit-*), by window.");
  if (api.budget.ten_secondly_remaining)
    w.sample("leadsync_hubspot_rate_budget_remaining", {{"window", "ten_secondly"}},
             static_cast<double>(*api.budget.ten_secondly_remaining));
  if (api.budget.daily_remaining)
    w.sample("leadsync_hubspot_rate_budget_remaining", {{"window", "daily"}},
             static_cast<double>(*api.budget.daily_remaining));
  w.header("leadsync_hubspot_rate_budget_max", "gauge", "Window sizes HubSpot last reported, by window.");
  if (api.budget.ten_secondly_max)
    w.sample("leadsync_hubspot_rate_budget_max", {{"window", "ten_secondly"}},
             static_cast<double>(*api.budget.ten_secondly_max));
  if (api.budget.daily_max)
    w.sample("leadsync_hubspot_rate_budget_max", {{"window", "daily"}},
             static_cast<double>(*api.budget.daily_max));
  w.header("leadsync_rate_limiter_slots", "gauge",
           "Client-side rate limiter: capacity and slots in use, by bucket.");
  w.sample("leadsync_rate_limiter_slots", {{"bucket", "ten_secondly"}, {"kind", "capacity"}},
           limiter.ten_secondly_capacity);
  w.sample("leadsync_rate_limiter_slots", {{"bucket", "ten_secondly"}, {"kind", "in_use"}},
           limiter.ten_secondly_in_use);
  w.sample("leadsync_rate_limiter_slots", {{"bucket", "search"}, {"kind", "capacity"}},
           limiter.search_capacity);
  w.sample("leadsync_rate_limiter_slots", {{"bucket", "search"}, {"kind", "in_use"}}, limiter.search_in_use);
  w.metric("leadsync_rate_limiter_daily_used", "gauge", "Calls counted against the local daily budget today.",
           static_cast<double>(limiter.daily_used));
  w.metric("leadsync_hubspot_daily_budget_exhausted", "gauge",
           "1 while the daily budget is exhausted and leadsync waits for the reset.",
           limiter.daily_exhausted ? 1 : 0);
  write_deprecations(w, api.deprecations);
}

}  // namespace

std::string Metrics::render(const ApiStats::Snapshot& api, const RateLimiterView& limiter) const {
  std::lock_guard lock(mutex_);
  Writer w;
  w.header("leadsync_build_info", "gauge", "Version and synced scope of this leadsync process.");
  w.sample("leadsync_build_info", {{"version", LEADSYNC_VERSION}, {"scope", scope_}}, 1);
  w.metric("leadsync_start_time_seconds", "gauge", "Start time of the process (Unix time).", started_unix_);
  w.metric("leadsync_leader", "gauge", "1 when this process holds the leader lock and syncs, 0 on a standby.",
           leader_ ? 1 : 0);
  w.metric("leadsync_ready", "gauge", "1 when the last attempt to reach PostgreSQL and HubSpot succeeded.",
           ready_ ? 1 : 0);

  const auto& n = totals_;
  w.metric("leadsync_records_pulled_total", "counter", "Leads read from HubSpot and reconciled.",
           static_cast<double>(n.pulled));
  w.metric("leadsync_records_pushed_total", "counter",
           "Leads written to HubSpot (creates, updates, deletes).", static_cast<double>(n.pushed));
  w.metric("leadsync_records_failed_total", "counter",
           "Records that failed permanently (see leadsync.changes).", static_cast<double>(n.failed));
  w.metric("leadsync_conflicts_total", "counter", "Properties changed on both sides since the last sync.",
           static_cast<double>(n.conflicts));
  w.metric("leadsync_echoes_suppressed_total", "counter",
           "HubSpot changes recognised as leadsync's own writes coming back.",
           static_cast<double>(n.echoes_suppressed));
  // Always present (0 included), so an alert on its increase needs no absent() guard.
  w.header(
      "leadsync_leads_skipped_total", "counter",
      "Leads left out of a cycle, by reason (bad_id: an id that is not a HubSpot record id, from HubSpot "
      "or from the table).");
  w.sample("leadsync_leads_skipped_total", {{"reason", "bad_id"}}, static_cast<double>(skipped_bad_id_));
  w.header("leadsync_records_applied_total", "counter", "Record changes applied, by side and operation.");
  w.sample("leadsync_records_applied_total", {{"side", "postgresql"}, {"op", "create"}},
           static_cast<double>(n.created_local));
  w.sample("leadsync_records_applied_total", {{"side", "postgresql"}, {"op", "update"}},
           static_cast<double>(n.updated_local));
  w.sample("leadsync_records_applied_total", {{"side", "postgresql"}, {"op", "delete"}},
           static_cast<double>(n.deleted_local));
  w.sample("leadsync_records_applied_total", {{"side", "hubspot"}, {"op", "create"}},
           static_cast<double>(n.created_remote));
  w.sample("leadsync_records_applied_total", {{"side", "hubspot"}, {"op", "update"}},
           static_cast<double>(n.updated_remote));
  w.sample("leadsync_records_applied_total", {{"side", "hubspot"}, {"op", "delete"}},
           static_cast<double>(n.deleted_remote));

  w.header("leadsync_cycles_total", "counter", "Sync cycles by mode (incremental, full, push) and status.");
  for (const auto& [key, count] : cycles_)
    w.sample("leadsync_cycles_total", {{"mode", key.first}, {"status", key.second}},
             static_cast<double>(count));

  w.header("leadsync_cycle_duration_seconds", "histogram", "Duration of sync cycles by mode.");
  const auto& buckets = duration_buckets();
  for (const auto& [mode, h] : durations_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < buckets.size(); ++i) {
      cumulative += h.counts[i];
      w.sample("leadsync_cycle_duration_seconds_bucket", {{"mode", mode}, {"le", number(buckets[i])}},
               static_cast<double>(cumulative));
    }
    w.sample("leadsync_cycle_duration_seconds_bucket", {{"mode", mode}, {"le", "+Inf"}},
             static_cast<double>(h.count));
    w.sample("leadsync_cycle_duration_seconds_sum", {{"mode", mode}}, h.sum);
    w.sample("leadsync_cycle_duration_seconds_count", {{"mode", mode}}, static_cast<double>(h.count));
  }
  if (last_success_unix_)
    w.metric("leadsync_last_success_timestamp_seconds", "gauge",
             "End of the last cycle that completed (success or partial), Unix time.", *last_success_unix_);
  if (last_cycle_unix_)
    w.metric("leadsync_last_cycle_timestamp_seconds", "gauge", "End of the last cycle, whatever its outcome.",
             *last_cycle_unix_);

  write_outbox(w, outbox_);
  w.metric("leadsync_local_change_notifications_total", "counter",
           "NOTIFY wake-ups received for local changes of this scope.", static_cast<double>(notifications_));
  w.header("leadsync_config_reloads_total", "counter", "SIGHUP reloads by result.");
  w.sample("leadsync_config_reloads_total", {{"result", "success"}}, static_cast<double>(reloads_ok_));
  w.sample("leadsync_config_reloads_total", {{"result", "failure"}}, static_cast<double>(reloads_failed_));

  write_api_activity(w, totals_.api_calls_by_activity, api_projection_);
  write_sweep_intervals(w, sweep_intervals_);
  write_webhook_requests(w, webhook_requests_);
  write_inbox(w, inbox_);
  if (events_missed_)
    w.metric("leadsync_webhook_missed_total", "counter",
             "Changes a safety poll found that no webhook event had announced (the webhook path is broken "
             "or lossy).",
             static_cast<double>(*events_missed_));
  if (events_applied_ > 0) {
    w.header("leadsync_webhook_events_applied_total", "counter",
             "Webhook events taken from the inbox and applied, by whether they needed a read from HubSpot.");
    w.sample("leadsync_webhook_events_applied_total", {{"read", "needed"}},
             static_cast<double>(events_applied_ - events_needless_));
    w.sample("leadsync_webhook_events_applied_total", {{"read", "needless"}},
             static_cast<double>(events_needless_));
  }

  write_hubspot(w, api, limiter);
  return w.take();
}

}  // namespace leadsync::daemon
