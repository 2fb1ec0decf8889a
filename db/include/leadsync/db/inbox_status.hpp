#pragma once
// InboxStatus: what the webhook inbox (leadsync.inbox, migration 0017) of one scope holds, for --status
// (PgStore::status) and the daemon's gauges (LeaderLock::inbox_status). Times are epoch milliseconds as
// PostgreSQL's clock has them; the age is measured on that clock too, so a skewed host clock cannot make
// an event look older or younger than it is.
// Applied events are pruned after webhooks.retention: "last received" and "last applied" only see the events
// still kept.
#include <cstdint>
#include <optional>

namespace leadsync::db {

struct InboxStatus {
  std::int64_t unapplied = 0;                           // processed_at IS NULL
  std::optional<std::int64_t> oldest_unapplied_ms;      // received_at of the oldest of those
  std::optional<std::int64_t> oldest_unapplied_age_ms;  // now() - that
  std::optional<std::int64_t> last_received_ms;         // max(received_at)
  std::optional<std::int64_t> last_applied_ms;          // max(processed_at)
  std::int64_t received_24h = 0;                        // received_at within the last 24 hours
};

}  // namespace leadsync::db
