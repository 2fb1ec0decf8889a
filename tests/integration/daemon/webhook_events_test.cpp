// Webhook events applied end to end: fake-hubspot delivers signed events for changes made in "HubSpot" (its
// API and UI routes) to a running daemon whose poll is an hour away, and the table follows within seconds:
// creations, UI edits, associations and deletions, read with batch reads and never with a search.
// leadsync's own writes coming back as events cost no read.
#include <sstream>

#include "webhooks_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class WebhookEventsTest : public WebhooksTest {
 protected:
  json create_lead_in_hubspot(const std::string& name) {
    const json contact = admin("POST", "/_fake/contacts", R"({"properties":{}})");
    return api("POST", "/crm/v3/objects/leads",
               json{{"properties", {{"hs_lead_name", name}}},
                    {"associations",
                     json::array({{{"to", {{"id", contact["id"]}}},
                                   {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                           {"associationTypeId", 578}}})}}})}}
                   .dump());
  }
  // Requests of the fake's stats whose route contains `part`.
  long requests(const std::string& part) {
    long n = 0;
    const json stats = admin("GET", "/_fake/stats")["requests"];
    for (auto it = stats.begin(); it != stats.end(); ++it)
      if (it.key().find(part) != std::string::npos) n += it.value().get<long>();
    return n;
  }
  std::string lead_name(const std::string& hubspot_id) const {
    return sql("SELECT coalesce(lead_name, '<null>') FROM leads WHERE hubspot_id = '" + hubspot_id + "'");
  }
  long unapplied() const { return count("SELECT count(*) FROM leadsync.inbox WHERE processed_at IS NULL"); }
};

TEST_F(WebhookEventsTest, HubSpotChangesReachTheTableThroughEventsWithoutASearch) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.extra_yaml = webhooks_yaml();  // sync.interval stays at 1h: only events can bring the changes
  start_env(o);
  auto d = start_receiving_daemon();
  d->wait_for_line("cycle success", 60s);
  subscribe();
  admin("DELETE", "/_fake/stats");

  const json lead = create_lead_in_hubspot("Created in HubSpot");
  const std::string id = lead["id"];
  ASSERT_TRUE(eventually([&] { return lead_name(id) == "Created in HubSpot"; }, 15s)) << d->output();
  EXPECT_EQ(count("SELECT count(*) FROM leads_associations a JOIN leads l ON l.id = a.lead_id WHERE "
                  "l.hubspot_id = '" +
                  id + "' AND a.association_type_id = 578"),
            1);

  admin("PATCH", "/_fake/leads/" + id, R"({"properties":{"hs_lead_name":"Edited in the UI"}})");
  ASSERT_TRUE(eventually([&] { return lead_name(id) == "Edited in the UI"; }, 15s)) << d->output();

  const json company = admin("POST", "/_fake/companies", R"({"properties":{}})");
  const std::string company_id = company["id"];
  admin("PUT", "/_fake/leads/" + id + "/associations/companies/" + company_id + "/580");
  ASSERT_TRUE(eventually(
      [&] {
        return count(
                   "SELECT count(*) FROM leads_associations a JOIN leads l ON l.id = a.lead_id WHERE "
                   "l.hubspot_id = '" +
                   id + "' AND a.to_object_id = '" + company_id + "'") == 1;
      },
      15s))
      << d->output();

  admin("DELETE", "/_fake/leads/" + id);
  ASSERT_TRUE(eventually(
      [&] { return sql("SELECT archived FROM leads WHERE hubspot_id = '" + id + "'") == "t"; }, 15s))
      << d->output();

  EXPECT_TRUE(eventually([&] { return unapplied() == 0; }, 10s));
  EXPECT_EQ(requests("search"), 0) << admin("GET", "/_fake/stats").dump();
  EXPECT_GE(requests("/objects/leads/batch/read"), 1) << admin("GET", "/_fake/stats").dump();
  EXPECT_EQ(d->output().find(kSecret), std::string::npos);
  // The cycles events woke are told apart from local pushes, in the log and in the runs table.
  EXPECT_GE(count_lines(d->output(), "cycle success: mode=events"), 1) << d->output();
  EXPECT_EQ(count_lines(d->output(), "cycle success: mode=push"), 0) << d->output();
  EXPECT_GE(count("SELECT count(*) FROM leadsync.runs WHERE mode = 'events'"), 1);
}

TEST_F(WebhookEventsTest, LeadsyncsOwnWritesComingBackCostNoRead) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.extra_yaml = webhooks_yaml();
  start_env(o);
  // The lead reaches the table by the first full sweep (no subscription yet), so its base is known.
  const json lead = create_lead_in_hubspot("Pulled first");
  const std::string id = lead["id"];
  auto d = start_receiving_daemon();
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  ASSERT_EQ(lead_name(id), "Pulled first");
  subscribe();
  admin("DELETE", "/_fake/stats");

  exec("UPDATE leads SET lead_name = 'Edited locally' WHERE hubspot_id = '" + id + "'");
  ASSERT_TRUE(eventually([&] { return requests("PATCH") + requests("batch/update") >= 1; }, 15s))
      << d->output();
  ASSERT_TRUE(eventually(
      [&] {
        const json st = admin("GET", "/_fake/webhooks");
        return st["delivered"].get<long>() >= 1 && st["pending"] == 0 && unapplied() == 0;
      },
      15s))
      << d->output();
  EXPECT_EQ(requests("/objects/leads/batch/read"), 0) << admin("GET", "/_fake/stats").dump();
  EXPECT_EQ(requests("search"), 0);
  const auto text = http_request(metrics, "GET", "/metrics").body;
  EXPECT_NE(text.find("leadsync_webhook_events_applied_total{read=\"needless\"} "), std::string::npos)
      << text;
  EXPECT_NE(text.find("\nleadsync_webhook_missed_total 0\n"), std::string::npos) << text;
  EXPECT_EQ(lead_name(id), "Edited locally");
}

TEST_F(WebhookEventsTest, ADaemonKilledWhileHubSpotDeliversLosesNoEvent) {
  LEADSYNC_REQUIRE_DATABASE();
  constexpr int kEdits = 40;
  EnvOptions o;
  o.fake_args = {"--seed-leads", std::to_string(kEdits)};
  const std::uint16_t port =
      testing::free_loopback_port();  // fixed: fake-hubspot retries to the same target after the restart
  o.extra_yaml = webhooks_yaml(port);
  start_env(o);
  auto d = start_receiving_daemon();
  d->wait_for_line("cycle success", 60s);
  std::vector<std::string> ids;
  std::istringstream all(sql("SELECT string_agg(hubspot_id, ' ' ORDER BY id) FROM leads"));
  for (std::string id; all >> id;) ids.push_back(id);
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kEdits));
  // One event per POST, retried every 200 ms or so while the daemon is down.
  subscribe({{"max_batch", 1}, {"retry_base_ms", 50}, {"max_retries", 30}});

  // The kill comes once a few events are stored and while edits are still being made, so some
  // deliveries are in flight when it lands and the rest are refused until the daemon is back.
  long stored_at_kill = -1;
  for (int i = 0; i < kEdits; ++i) {
    admin("PATCH", "/_fake/leads/" + ids[static_cast<std::size_t>(i)],
          json{{"properties", {{"hs_lead_name", "kill edit " + std::to_string(i)}}}}.dump());
    if (i != kEdits / 4) continue;
    ASSERT_TRUE(eventually([&] { return inbox() >= 5; }, 15s)) << d->output();
    d->send_signal(SIGKILL);
    d->wait(10s);
    stored_at_kill = inbox();
  }
  ASSERT_LT(stored_at_kill, kEdits) << "the kill came after every delivery: nothing tested";

  auto again = start_receiving_daemon();
  ASSERT_TRUE(eventually(
      [&] {
        const json st = admin("GET", "/_fake/webhooks");
        return st["pending"] == 0 && unapplied() == 0 && inbox() == kEdits;
      },
      60s))
      << admin("GET", "/_fake/webhooks").dump() << again->output();
  const json st = admin("GET", "/_fake/webhooks");
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(st["delivered"], kEdits);
  EXPECT_GE(st["retries"].get<long>(), 1) << "no delivery was refused while the daemon was down";
  // Each edit's event is stored exactly once and applied, and the table holds every edit.
  EXPECT_EQ(count("SELECT count(DISTINCT payload->>'propertyValue') FROM leadsync.inbox WHERE "
                  "payload->>'propertyValue' LIKE 'kill edit %' AND processed_at IS NOT NULL"),
            kEdits);
  EXPECT_EQ(count("SELECT count(*) FROM leads WHERE lead_name LIKE 'kill edit %'"), kEdits);
}

}  // namespace
}  // namespace leadsync::daemon_test
