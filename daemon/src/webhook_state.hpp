#pragma once
// The webhook receiver's line of STATUS= and /readyz: whether it listens, whether polling relies on its
// events or has fallen back to sync.interval, and when the newest event arrived. Built from plain fields so
// that every wording can be unit-tested; nothing of the URL, the path or the secret goes in (anybody who
// reaches the metrics port reads /readyz).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "leadsync/db/inbox_status.hpp"

namespace leadsync::daemon {

struct WebhookState {
  bool enabled = false;    // webhooks.enabled
  bool listening = false;  // the receiver is bound and not stopping
  bool active = false;     // this instance holds the leader lock (polls and applies)
  bool relied_on = false;  // Daemon::Impl::rely_on_webhooks()
  std::chrono::milliseconds poll_interval{0};
  std::optional<db::InboxStatus> inbox;  // read while active; nullopt until the first read
};

// `now_ms` (epoch ms): add how long ago the last event arrived. /readyz passes it (computed per request);
// STATUS= does not: it is only sent when it changes, so an age there would go stale.
std::string webhook_state_text(const WebhookState& state, std::optional<std::int64_t> now_ms = std::nullopt);

}  // namespace leadsync::daemon
