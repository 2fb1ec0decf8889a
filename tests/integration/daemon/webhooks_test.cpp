// The webhooks receiver of a running daemon, fed by fake-hubspot over real sockets, storing into real
// PostgreSQL: events land in leadsync.inbox once however often they are delivered; forged, stale,
// oversized, foreign and malformed requests are refused, counted and store nothing; with PostgreSQL down
// the receiver answers 503, fake-hubspot retries, and the event arrives once the database is back.
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "webhooks_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

TEST_F(WebhooksTest, DeliveredEventsAreStoredOnceEvenWhenDeliveredTwice) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.extra_yaml = webhooks_yaml();
  start_env(o);
  auto d = start_receiving_daemon();
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  subscribe({{"duplicate", true}});
  const json contact = admin("POST", "/_fake/contacts", R"({"properties":{}})");
  api("POST", "/crm/v3/objects/leads",
      json{{"properties", {{"hs_lead_name", "From HubSpot"}}},
           {"associations", json::array({{{"to", {{"id", contact["id"]}}},
                                          {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                  {"associationTypeId", 578}}})}}})}}
          .dump());
  ASSERT_TRUE(eventually([&] { return admin("GET", "/_fake/webhooks")["pending"] == 0 && inbox() > 0; }, 10s))
      << d->output();
  const json st = admin("GET", "/_fake/webhooks");
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(st["requests"].get<long>() % 2, 0) << "every batch was POSTed twice";
  EXPECT_GE(st["requests"].get<long>(), 2);
  EXPECT_EQ(inbox(), st["delivered"].get<long>()) << "each event stored once";
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.inbox WHERE subscription_type = 'object.creation' AND "
                  "payload->>'objectTypeId' = '0-136'"),
            1);
  EXPECT_EQ(metric(metrics, "accepted"), std::to_string(st["requests"].get<long>()));
  // Redelivering a stored batch by hand: 200 again, nothing new.
  const long before = inbox();
  const std::string stored_id = sql("SELECT event_id FROM leadsync.inbox ORDER BY event_id LIMIT 1");
  const std::string body = "[" + event(std::stoll(stored_id)) + "]";
  const auto ts = now_ms();
  EXPECT_EQ(post(body, ts, sign(body, ts)).status, 200);
  EXPECT_EQ(inbox(), before);
  // A value with U+0000 (which PostgreSQL's jsonb refuses) does not make its batch undeliverable.
  std::string nul_event = event(910001);
  nul_event.replace(nul_event.find(R"("propertyValue":"x")"), 19, R"("propertyValue":"x\u0000y")");
  const std::string nul_body = "[" + nul_event + "," + event(910002) + "]";
  EXPECT_EQ(post(nul_body, ts, sign(nul_body, ts)).status, 200);
  EXPECT_EQ(inbox(), before + 2);
  EXPECT_EQ(d->output().find(kSecret), std::string::npos);
}

TEST_F(WebhooksTest, RefusedRequestsStoreNothingAndAreCounted) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.extra_yaml = webhooks_yaml();
  start_env(o);
  auto d = start_receiving_daemon();
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  const std::string body = "[" + event(900001) + "]";
  const auto ts = now_ms();
  struct Case {
    const char* outcome;
    int status;
    testing::SimpleResponse response;
  };
  std::vector<Case> cases;
  cases.push_back({"bad_signature", 401, post(body, ts, sign(body, ts, kPublicUrl, "another-secret"))});
  cases.push_back(
      {"bad_signature", 401,
       post(body, ts, sign(body, ts, "http://127.0.0.1:" + std::to_string(port_) + "/hubspot/webhooks"))});
  const auto stale = now_ms(-6 * 60 * 1000);
  cases.push_back({"stale", 401, post(body, stale, sign(body, stale))});
  const auto future = now_ms(5 * 60 * 1000);
  cases.push_back({"stale", 401, post(body, future, sign(body, future))});
  cases.push_back({"unsigned", 401, http_request(port_, "POST", "/hubspot/webhooks", body)});
  cases.push_back({"wrong_method", 405, post("", ts, sign("", ts), "/hubspot/webhooks", "GET")});
  cases.push_back({"wrong_path", 404, post(body, ts, sign(body, ts), "/other")});
  const std::string not_array = R"({"eventId":1})";
  cases.push_back({"malformed", 400, post(not_array, ts, sign(not_array, ts))});
  const std::string truncated = "[" + event(900002).substr(0, 40);
  cases.push_back({"malformed", 400, post(truncated, ts, sign(truncated, ts))});
  const std::string foreign = "[" + event(900003) + "," + event(900004, 99999) + "]";
  cases.push_back({"foreign", 400, post(foreign, ts, sign(foreign, ts))});
  for (const auto& c : cases) {
    EXPECT_EQ(c.response.status, c.status) << c.outcome;
    EXPECT_EQ(c.response.body, "") << "no detail for " << c.outcome;
  }
  EXPECT_EQ(post_head_only(port_, 2 * 1024 * 1024), 413);
  EXPECT_EQ(inbox(), 0);
  EXPECT_EQ(metric(metrics, "bad_signature"), "2");
  EXPECT_EQ(metric(metrics, "stale"), "2");
  EXPECT_EQ(metric(metrics, "unsigned"), "1");
  EXPECT_EQ(metric(metrics, "wrong_method"), "1");
  EXPECT_EQ(metric(metrics, "wrong_path"), "1");
  EXPECT_EQ(metric(metrics, "malformed"), "2");
  EXPECT_EQ(metric(metrics, "foreign"), "1");
  EXPECT_EQ(metric(metrics, "too_large"), "1");
  // The refusal log is rate-limited and carries neither the secret nor the body.
  const auto out = d->output();
  EXPECT_EQ(out.find(kSecret), std::string::npos);
  EXPECT_EQ(out.find("propertyValue"), std::string::npos);
  EXPECT_EQ(count_lines(out, "webhooks: refused a request"), 1) << out;
  // A valid request still gets through afterwards.
  EXPECT_EQ(post(body, ts, sign(body, ts)).status, 200);
  EXPECT_EQ(inbox(), 1);
}

// The receiver keeps the secret it started with: a SIGHUP with another client secret is refused (and
// reported), rather than applied to everything but the listener that needs it.
TEST_F(WebhooksTest, AReloadWithAnotherClientSecretIsRefused) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  start_env(o);
  const auto secret_file = dir_ / "webhook-client-secret";
  auto write_secret = [&](const std::string& value) {
    std::ofstream(secret_file, std::ios::trunc) << value << "\n";
    std::filesystem::permissions(secret_file,
                                 std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  };
  write_secret(kSecret);
  std::string yaml = webhooks_yaml();
  yaml.replace(yaml.find("client_secret_env: LEADSYNC_WEBHOOK_SECRET"), 42,
               "client_secret_file: " + secret_file.string());
  o.extra_yaml = yaml;
  write_config(config_text(o));
  auto d = start_receiving_daemon();
  d->wait_for_line("cycle success", 60s);
  write_secret("a-new-secret");
  d->send_signal(SIGHUP);
  d->wait_for_line("reload refused: the webhook client secret", 10s);
  const std::string body = "[" + event(920001) + "]";
  const auto ts = now_ms();
  EXPECT_EQ(post(body, ts, sign(body, ts)).status, 200) << "still the secret it started with";
  EXPECT_EQ(post(body, ts, sign(body, ts, kPublicUrl, "a-new-secret")).status, 401);
  EXPECT_EQ(d->output().find("a-new-secret"), std::string::npos);
}

// The receiver's port is bound at start, next to the metrics port: taken, the daemon exits 78 at once
// (a configuration problem; systemd does not restart on it) rather than run without receiving.
TEST_F(WebhooksTest, AListenPortInUseExitsSeventyEight) {
  LEADSYNC_REQUIRE_DATABASE();
  const int taken = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(taken, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(taken, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(taken, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const auto port = std::to_string(ntohs(addr.sin_port));
  EnvOptions o;
  o.extra_yaml = webhooks_yaml();
  o.extra_yaml.replace(o.extra_yaml.find("127.0.0.1:0"), 11, "127.0.0.1:" + port);
  start_env(o);
  auto d = start_daemon({}, {{"LEADSYNC_WEBHOOK_SECRET", kSecret}});
  EXPECT_EQ(d->wait(30s), 78) << d->output();
  EXPECT_NE(d->output().find("webhooks.listen 127.0.0.1:" + port + ": cannot listen"), std::string::npos)
      << d->output();
  ::close(taken);
}

class Cluster {
 public:
  Cluster() {
    auto r = testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "start"}, {}, 120s);
    if (r.exit_code != 0) throw std::runtime_error("cannot start a cluster: " + r.output);
    std::istringstream in(r.output.substr(r.output.rfind("/tmp/")));
    in >> dir_ >> port_;
  }
  ~Cluster() {
    (void)testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "destroy", dir_}, {}, 60s);
  }
  std::string dsn() const { return "host=127.0.0.1 port=" + port_ + " user=postgres dbname=postgres"; }
  void stop() {
    ASSERT_EQ(
        testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "stop", dir_}, {}, 60s).exit_code, 0);
  }
  void start() {
    auto r = testing::run_process("/bin/bash", {LEADSYNC_PG_CLUSTER_SCRIPT, "restart", dir_, port_}, {}, 60s);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

 private:
  std::string dir_, port_;
};

TEST_F(WebhooksTest, PostgresDownAnswers503AndTheRetriedDeliveryArrives) {
  LEADSYNC_REQUIRE_DATABASE();
  Cluster cluster;
  EnvOptions o;
  o.create_database = false;
  o.dsn = cluster.dsn();
  o.extra_yaml = webhooks_yaml();
  start_env(o);
  auto d = start_receiving_daemon();
  const auto metrics = metrics_port(*d);
  d->wait_for_line("cycle success", 60s);
  subscribe({{"subscriptions", {"object.creation"}}, {"retry_base_ms", 300}});
  cluster.stop();
  const json contact = admin("POST", "/_fake/contacts", R"({"properties":{}})");
  const json lead = api(
      "POST", "/crm/v3/objects/leads",
      json{{"properties", {{"hs_lead_name", "While PostgreSQL was down"}}},
           {"associations", json::array({{{"to", {{"id", contact["id"]}}},
                                          {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                  {"associationTypeId", 578}}})}}})}}
          .dump());
  ASSERT_TRUE(eventually([&] { return admin("GET", "/_fake/webhooks")["last_status"] == 503; }, 10s))
      << admin("GET", "/_fake/webhooks").dump();
  EXPECT_NE(metric(metrics, "unavailable"), "0");
  cluster.start();
  ASSERT_TRUE(eventually([&] { return admin("GET", "/_fake/webhooks")["delivered"] == 1; }, 30s))
      << admin("GET", "/_fake/webhooks").dump();
  EXPECT_GE(admin("GET", "/_fake/webhooks")["retries"].get<long>(), 1);
  EXPECT_EQ(sql("SELECT object_id FROM leadsync.inbox WHERE subscription_type = 'object.creation'"),
            lead["id"].get<std::string>());
  EXPECT_EQ(inbox(), 1);
}

}  // namespace
}  // namespace leadsync::daemon_test
