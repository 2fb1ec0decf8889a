// What operators see of the webhook receiver: `--status` (text and JSON), /readyz, systemd's STATUS= and
// /metrics, with fake-hubspot delivering real signed events for a UI edit to a running daemon. Events that
// wait (HubSpot's batch read fails, so the cycle that would apply them fails) and events applied; the client
// secret, the public URL and the events' payload never appear on any of these surfaces.
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "webhooks_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

constexpr const char* kMarker = "Payload text 7c41";  // the edited value: in the events' payload only

class WebhookStatusTest : public WebhooksTest {
 protected:
  // The newest event's received_at as --status and /readyz print it (milliseconds, truncated).
  std::string last_received() const {
    return sql(
        "SELECT coalesce(to_char(max(received_at) AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), '') FROM leadsync.inbox");
  }
  long unapplied() const { return count("SELECT count(*) FROM leadsync.inbox WHERE processed_at IS NULL"); }
  std::string lead_name(const std::string& hubspot_id) const {
    return sql("SELECT coalesce(lead_name, '<null>') FROM leads WHERE hubspot_id = '" + hubspot_id + "'");
  }
  static std::string metrics_text(std::uint16_t port) { return http_request(port, "GET", "/metrics").body; }
  // The value of an unlabelled sample, or "" when the series is absent.
  static std::string sample(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) return "";
    const auto from = at + name.size() + 2;
    return text.substr(from, text.find('\n', from) - from);
  }
  json status_json() {
    const auto r = cli({"--status", "--output", "json"}, {{"LEADSYNC_WEBHOOK_SECRET", kSecret}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output.find(kSecret), std::string::npos) << r.output;
    const auto doc = json::parse(r.output.substr(r.output.find('{')), nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << r.output;
    return doc.is_discarded() ? json::object() : doc;
  }
  std::string status_text() {
    const auto r = cli({"--status"}, {{"LEADSYNC_WEBHOOK_SECRET", kSecret}});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return r.output;
  }
  static void expect_nothing_secret(const std::string& surface, const std::string& text) {
    EXPECT_EQ(text.find(kSecret), std::string::npos) << surface << ":\n" << text;
    EXPECT_EQ(text.find("leadsync.example.com"), std::string::npos) << surface << ":\n" << text;
    EXPECT_EQ(text.find("/hubspot/webhooks"), std::string::npos) << surface << ":\n" << text;
    EXPECT_EQ(text.find(kMarker), std::string::npos) << surface << ":\n" << text;
  }
};

TEST_F(WebhookStatusTest, StatusReadyzSystemdAndMetricsShowTheReceiver) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "3"};
  o.extra_yaml = webhooks_yaml();  // sync.interval 1h: the safety poll too (the longer of it and 15m)
  start_env(o);
  NotifySocket notify(dir_ / "notify.sock");
  auto d = start_receiving_daemon({{"NOTIFY_SOCKET", (dir_ / "notify.sock").string()}});
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  subscribe();

  // Nothing received yet: the receiver listens, polling relies on it, and no timestamp is made up.
  const std::string relied = "webhooks: listening; polling relies on them (safety poll every 1h)";
  std::string readyz;
  ASSERT_TRUE(eventually(
      [&] {
        readyz = http_request(metrics, "GET", "/readyz").body;
        return readyz == "ready: active\n" + relied + "; no event received yet\n";
      },
      20s))
      << readyz;
  auto text = metrics_text(metrics);
  EXPECT_EQ(sample(text, "leadsync_webhook_inbox_unapplied"), "0") << text;
  EXPECT_EQ(text.find("leadsync_webhook_last_event_timestamp_seconds"), std::string::npos) << text;

  // HubSpot's batch read fails: the event arrives and is stored, but the cycle that would apply it fails.
  admin("POST", "/_fake/faults",
        R"({"method":"POST","path_prefix":"/crm/v3/objects/leads/batch/read","status":503,"times":-1})");
  const auto id = sql("SELECT hubspot_id FROM leads ORDER BY id LIMIT 1");
  const double before =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  admin("PATCH", "/_fake/leads/" + id, json{{"properties", {{"hs_lead_name", kMarker}}}}.dump());
  ASSERT_TRUE(eventually(
      [&] {
        const json st = admin("GET", "/_fake/webhooks");
        return st["delivered"].get<long>() >= 1 && st["pending"] == 0 && unapplied() >= 1;
      },
      15s))
      << d->output();
  const std::string last = last_received();
  ASSERT_TRUE(eventually(
      [&] {
        const auto r = http_request(metrics, "GET", "/readyz");
        readyz = r.body;
        return r.status == 503 && readyz.find("last event " + last) != std::string::npos;
      },
      30s))
      << readyz << d->output();
  EXPECT_EQ(readyz.rfind("not ready: active, backing off: ", 0), 0u) << readyz;
  EXPECT_NE(readyz.find("\n" + relied + "; last event " + last + " ("), std::string::npos) << readyz;
  EXPECT_NE(readyz.find(" s ago)\n"), std::string::npos) << readyz;
  expect_nothing_secret("/readyz", readyz);
  std::cout << "[ waiting  ] /readyz: " << readyz;

  ASSERT_TRUE(eventually(
      [&] { return !sample(metrics_text(metrics), "leadsync_webhook_last_event_timestamp_seconds").empty(); },
      20s));
  text = metrics_text(metrics);
  EXPECT_GE(std::stol(sample(text, "leadsync_webhook_inbox_unapplied")), 1) << text;
  const double stamp = std::stod(sample(text, "leadsync_webhook_last_event_timestamp_seconds"));
  EXPECT_NEAR(stamp, std::stod(sql("SELECT extract(epoch FROM max(received_at)) FROM leadsync.inbox")),
              0.002);
  EXPECT_GE(stamp, before - 1) << text;
  expect_nothing_secret("/metrics", text);
  for (const char* name :
       {"leadsync_webhook_inbox_unapplied", "leadsync_webhook_last_event_timestamp_seconds"})
    std::cout << "[ waiting  ] /metrics: " << name << " " << sample(text, name) << "\n";

  auto st = status_text();
  const long waiting = unapplied();
  EXPECT_NE(st.find("  webhooks:  on\n    waiting to be applied: " + std::to_string(waiting) +
                    " event(s), the oldest received "),
            std::string::npos)
      << st;
  EXPECT_NE(st.find("    last received:         " + last + "\n"), std::string::npos) << st;
  EXPECT_NE(st.find("    last applied:          none in the inbox\n"), std::string::npos) << st;
  expect_nothing_secret("--status", st);
  std::cout << "[ waiting  ] --status:\n"
            << st.substr(st.find("  webhooks:"), st.find("  HubSpot API budget") - st.find("  webhooks:"));
  auto doc = status_json();
  const auto& w = doc["webhooks"];
  EXPECT_EQ(w["enabled"], true) << doc.dump(2);
  EXPECT_EQ(w["unapplied"], waiting) << doc.dump(2);
  EXPECT_TRUE(w["oldest_unapplied_received_at"].is_string()) << doc.dump(2);
  EXPECT_GE(w["oldest_unapplied_age_seconds"].get<long>(), 0) << doc.dump(2);
  EXPECT_LT(w["oldest_unapplied_age_seconds"].get<long>(), 60) << doc.dump(2);
  EXPECT_EQ(w["last_received_at"], last) << doc.dump(2);
  EXPECT_TRUE(w["last_applied_at"].is_null()) << doc.dump(2);
  EXPECT_EQ(w["received_24h"], count("SELECT count(*) FROM leadsync.inbox")) << doc.dump(2);

  // HubSpot answers again: the retried cycle applies the event.
  admin("DELETE", "/_fake/faults");
  ASSERT_TRUE(eventually([&] { return lead_name(id) == kMarker && unapplied() == 0; }, 60s)) << d->output();
  // STATUS= of the successful cycle: its summary first, then the receiver.
  std::string status_line;
  ASSERT_TRUE(eventually(
      [&] {
        const auto all = notify.all();
        for (auto at = all.find("STATUS=active: last "); at != std::string::npos;
             at = all.find("STATUS=active: last ", at + 1)) {
          const auto line = all.substr(at, all.find('\n', at) - at);
          if (line.ends_with("; " + relied + "; last event " + last)) {
            status_line = line;
            return true;
          }
        }
        return false;
      },
      20s))
      << notify.all();
  expect_nothing_secret("STATUS=", notify.all());
  std::cout << "[ applied  ] " << status_line << "\n";
  ASSERT_TRUE(eventually(
      [&] { return sample(metrics_text(metrics), "leadsync_webhook_inbox_unapplied") == "0"; }, 20s));
  readyz = http_request(metrics, "GET", "/readyz").body;
  EXPECT_EQ(readyz.rfind("ready: active\n" + relied + "; last event " + last + " (", 0), 0u) << readyz;

  st = status_text();
  EXPECT_NE(st.find("    waiting to be applied: none\n"), std::string::npos) << st;
  EXPECT_NE(st.find("    last applied:          20"), std::string::npos) << st;
  EXPECT_NE(st.find("    received, last 24 h:   " +
                    std::to_string(count("SELECT count(*) FROM leadsync.inbox")) + " event(s)\n"),
            std::string::npos)
      << st;
  std::cout << "[ applied  ] /readyz: " << readyz << "[ applied  ] --status JSON: ";
  doc = status_json();
  std::cout << doc["webhooks"].dump() << "\n";
  EXPECT_EQ(doc["webhooks"]["unapplied"], 0) << doc.dump(2);
  EXPECT_TRUE(doc["webhooks"]["oldest_unapplied_received_at"].is_null()) << doc.dump(2);
  EXPECT_TRUE(doc["webhooks"]["oldest_unapplied_age_seconds"].is_null()) << doc.dump(2);
  EXPECT_TRUE(doc["webhooks"]["last_applied_at"].is_string()) << doc.dump(2);
  EXPECT_EQ(d->output().find(kSecret), std::string::npos);
}

TEST_F(WebhookStatusTest, WithoutWebhooksEverySurfaceSaysSo) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.fake_args = {"--seed-leads", "2"};
  start_env(o);
  NotifySocket notify(dir_ / "notify.sock");
  auto d = start_daemon({}, {{"NOTIFY_SOCKET", (dir_ / "notify.sock").string()}});
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);

  const auto st = cli({"--status"});
  ASSERT_EQ(st.exit_code, 0) << st.output;
  EXPECT_NE(st.output.find("\n  webhooks:  off\n"), std::string::npos) << st.output;
  EXPECT_EQ(st.output.find("waiting to be applied"), std::string::npos) << st.output;
  const auto js = cli({"--status", "--output", "json"});
  ASSERT_EQ(js.exit_code, 0) << js.output;
  const auto doc = json::parse(js.output.substr(js.output.find('{')), nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << js.output;
  EXPECT_EQ(doc["webhooks"], json({{"enabled", false}})) << js.output;

  EXPECT_EQ(http_request(metrics, "GET", "/readyz").body, "ready: active\nwebhooks: not enabled\n");
  ASSERT_TRUE(
      eventually([&] { return notify.all().find("; webhooks: not enabled\n") != std::string::npos; }, 10s))
      << notify.all();
  const auto text = metrics_text(metrics);
  EXPECT_EQ(text.find("leadsync_webhook_inbox_unapplied"), std::string::npos) << text;
  EXPECT_EQ(text.find("leadsync_webhook_last_event_timestamp_seconds"), std::string::npos) << text;
}

}  // namespace
}  // namespace leadsync::daemon_test
