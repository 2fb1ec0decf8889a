#pragma once
// Metrics: the daemon's counters and gauges, rendered in the Prometheus text exposition format (0.0.4)
// for GET /metrics. Everything is prefixed leadsync_. Cycle results feed the record counters and the cycle
// duration histogram; ApiStats (HubSpot calls by route and status, 429s by policy, reported budget) and the
// rate limiter's state are read at render time.
// Thread-safety: all methods lock an internal mutex (the event loop writes, the metrics server reads).
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api_stats.hpp"
#include "leadsync/core/engine.hpp"
#include "leadsync/db/leader_lock.hpp"

namespace leadsync::daemon {

// Label value escaping of the text format: backslash, double quote and newline.
std::string prometheus_escape(std::string_view value);

struct RateLimiterView {
  int ten_secondly_capacity = 0;
  int ten_secondly_in_use = 0;
  int search_capacity = 0;
  int search_in_use = 0;
  std::int64_t daily_used = 0;
  bool daily_exhausted = false;
};

class Metrics {
 public:
  Metrics();

  void cycle_finished(const core::CycleReport& report, std::chrono::duration<double> duration);
  void cycle_failed(core::CycleKind kind, std::chrono::duration<double> duration);
  void set_leader(bool leader);
  void set_ready(bool ready);
  void set_outbox(const db::OutboxDepth& depth);
  // The calls the next 24 h will take at the configured schedule, and the daily budget they share.
  void set_api_projection(std::int64_t projected_daily_calls, std::int64_t daily_budget);
  // The sweep intervals the budget plan chose (the configured ones, or stretched to fit daily_share).
  void set_sweep_intervals(std::chrono::milliseconds full_sweep, std::chrono::milliseconds association_sweep);
  void local_change_notified();
  void config_reload(bool ok);
  // One webhook request ended with `outcome` (accepted, unavailable, bad_signature, stale, ...).
  void webhook_request(const std::string& outcome);
  // A poll found `n` changes no webhook event had announced.
  void webhook_missed(std::int64_t n);
  // What leadsync.inbox holds (refreshed with the outbox while active, when webhooks are enabled).
  void set_inbox(const db::InboxStatus& inbox);
  void set_scope(std::string scope);

  std::string render(const ApiStats::Snapshot& api, const RateLimiterView& limiter) const;

  static const std::vector<double>& duration_buckets();

 private:
  struct Histogram {
    std::vector<std::uint64_t> counts;  // per bucket (not cumulative)
    std::uint64_t count = 0;
    double sum = 0;
  };

  mutable std::mutex mutex_;
  std::string scope_;
  core::RunCounts totals_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> cycles_;  // (mode, status)
  std::map<std::string, Histogram> durations_;                           // by mode
  std::optional<double> last_success_unix_;
  std::optional<double> last_cycle_unix_;
  bool leader_ = false;
  bool ready_ = false;
  std::optional<db::OutboxDepth> outbox_;
  std::optional<std::pair<std::int64_t, std::int64_t>> api_projection_;  // (projected, budget)
  std::optional<std::pair<std::chrono::milliseconds, std::chrono::milliseconds>> sweep_intervals_;
  std::uint64_t notifications_ = 0;
  std::uint64_t reloads_ok_ = 0, reloads_failed_ = 0;
  std::map<std::string, std::uint64_t> webhook_requests_;   // by outcome
  std::uint64_t events_applied_ = 0, events_needless_ = 0;  // webhook events the cycles applied
  std::uint64_t skipped_bad_id_ = 0;            // leads left out because their id is not a record id
  std::optional<std::uint64_t> events_missed_;  // set when webhooks are enabled (Metrics::webhook_missed)
  std::optional<db::InboxStatus> inbox_;
  double started_unix_ = 0;
};

}  // namespace leadsync::daemon
