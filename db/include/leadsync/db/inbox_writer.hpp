#pragma once
// InboxWriter: stores verified webhook events in leadsync.inbox (migration 0017) for one scope. A batch is
// inserted in one transaction, deduplicated on (scope, event_id) with ON CONFLICT DO NOTHING, together
// with NOTIFY kInboxChannel, '<scope>'; insert() returns only after COMMIT, so the caller may acknowledge
// the batch then. A redelivered batch (HubSpot retries what it saw no 2xx for) stores nothing new.
//
// Errors: insert() throws core::Error (transient when PostgreSQL cannot be reached, or the commit's
// outcome is unknown: a retried delivery is deduplicated) with PostgreSQL's text, never the DSN. The
// connection is reopened on the next call after a failure.
// Thread-safety: not thread-safe; every call blocks on the network (run it off the event loop).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::db {

inline constexpr std::string_view kInboxChannel = "leadsync_inbox";

struct InboxRow {
  std::int64_t event_id = 0;
  std::string subscription_type;
  std::int64_t object_id = 0;
  std::int64_t occurred_at_ms = 0;  // 0 = unknown
  std::string payload;              // a JSON object
};

class InboxWriter {
 public:
  InboxWriter(std::string dsn, std::string scope);
  ~InboxWriter();
  InboxWriter(const InboxWriter&) = delete;
  InboxWriter& operator=(const InboxWriter&) = delete;

  // Returns how many rows were new.
  std::size_t insert(const std::vector<InboxRow>& rows);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadsync::db
