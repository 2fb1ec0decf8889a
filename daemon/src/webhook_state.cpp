#include "webhook_state.hpp"

#include "leadsync/config/duration.hpp"
#include "report.hpp"

namespace leadsync::daemon {

std::string webhook_state_text(const WebhookState& state, std::optional<std::int64_t> now_ms) {
  if (!state.enabled) return "webhooks: not enabled";
  std::string s = state.listening ? "webhooks: listening" : "webhooks: not listening";
  // Polling and the inbox are the active instance's business; a standby only stores what it receives.
  if (!state.active) return s;
  const auto every = config::format_duration(state.poll_interval);
  if (state.relied_on)
    s += "; polling relies on them (safety poll every " + every + ")";
  else
    s += "; fallen back to polling every " + every + " (a poll found changes the events missed)";
  if (!state.inbox) return s;
  const auto& last = state.inbox->last_received_ms;
  if (!last) return s + "; no event received yet";
  s += "; last event " + format_epoch_ms(std::to_string(*last));
  if (now_ms) s += " (" + age_text(std::chrono::milliseconds(*now_ms - *last)) + " ago)";
  return s;
}

}  // namespace leadsync::daemon
