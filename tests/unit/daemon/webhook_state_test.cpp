// The webhook receiver's state as STATUS=, /readyz and /metrics show it: every wording of the state line,
// and the inbox gauges' presence rules.
#include "webhook_state.hpp"

#include <gtest/gtest.h>

#include "metrics.hpp"
#include "report.hpp"

namespace leadsync::daemon {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t kEvent = 1714557600123;  // 2024-05-01T10:00:00.123Z

WebhookState active_receiver() {
  WebhookState s;
  s.enabled = true;
  s.listening = true;
  s.active = true;
  s.relied_on = true;
  s.poll_interval = 15min;
  return s;
}

TEST(WebhookStateTest, DisabledSaysSo) {
  EXPECT_EQ(webhook_state_text(WebhookState{}), "webhooks: not enabled");
}

TEST(WebhookStateTest, StandbySaysOnlyWhetherItListens) {
  auto s = active_receiver();
  s.active = false;
  s.inbox = db::InboxStatus{};
  EXPECT_EQ(webhook_state_text(s), "webhooks: listening");
  s.listening = false;
  EXPECT_EQ(webhook_state_text(s), "webhooks: not listening");
}

TEST(WebhookStateTest, ActiveSaysWhetherPollingReliesOnTheEvents) {
  auto s = active_receiver();
  EXPECT_EQ(webhook_state_text(s), "webhooks: listening; polling relies on them (safety poll every 15m)");
  s.relied_on = false;
  s.poll_interval = 1min;
  EXPECT_EQ(webhook_state_text(s),
            "webhooks: listening; fallen back to polling every 1m (a poll found changes the events missed)");
}

TEST(WebhookStateTest, LastEventIsNamedOnceTheInboxWasRead) {
  auto s = active_receiver();
  s.inbox = db::InboxStatus{};
  EXPECT_EQ(webhook_state_text(s),
            "webhooks: listening; polling relies on them (safety poll every 15m); no event received yet");
  s.inbox->last_received_ms = kEvent;
  EXPECT_EQ(webhook_state_text(s),
            "webhooks: listening; polling relies on them (safety poll every 15m); "
            "last event 2024-05-01T10:00:00.123Z");
  EXPECT_EQ(webhook_state_text(s, kEvent + 42'500),
            "webhooks: listening; polling relies on them (safety poll "
            "every 15m); last event 2024-05-01T10:00:00.123Z (42 s ago)");
}

TEST(WebhookStateTest, AgesAreRoundedDownToAReadableUnit) {
  EXPECT_EQ(age_text(-5s), "0 s");
  EXPECT_EQ(age_text(119s), "119 s");
  EXPECT_EQ(age_text(120s), "2 min");
  EXPECT_EQ(age_text(119min), "119 min");
  EXPECT_EQ(age_text(2h), "2 h");
  EXPECT_EQ(age_text(47h), "47 h");
  EXPECT_EQ(age_text(72h), "3 d");
}

TEST(WebhookStateTest, InboxGaugesAppearOnceReadAndTheTimestampOnceAnEventArrived) {
  Metrics m;
  EXPECT_EQ(m.render({}, {}).find("leadsync_webhook_inbox_unapplied"), std::string::npos);
  db::InboxStatus inbox;
  inbox.unapplied = 3;
  m.set_inbox(inbox);
  auto text = m.render({}, {});
  EXPECT_NE(text.find("# TYPE leadsync_webhook_inbox_unapplied gauge\nleadsync_webhook_inbox_unapplied 3\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("leadsync_webhook_last_event_timestamp_seconds"), std::string::npos) << text;
  inbox.last_received_ms = kEvent;
  m.set_inbox(inbox);
  text = m.render({}, {});
  EXPECT_NE(text.find("# TYPE leadsync_webhook_last_event_timestamp_seconds gauge\n"
                      "leadsync_webhook_last_event_timestamp_seconds 1714557600.123\n"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace leadsync::daemon
