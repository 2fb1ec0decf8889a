// The webhooks receiver of a running daemon with native TLS (webhooks.cert_file/key_file): fake-hubspot
// delivers over HTTPS, verifying the daemon's certificate against the test CA as HubSpot verifies it against
// public CAs, and the events land in leadsync.inbox; plain HTTP on that port gets no answer. A key that does
// not match the certificate stops the daemon at start with exit 78, naming the file and nothing of its key.
#include <fstream>
#include <sstream>

#include "test_pki.hpp"
#include "test_tls_client.hpp"
#include "webhooks_fixture.hpp"

namespace leadsync::daemon_test {
namespace {

class WebhooksTlsTest : public WebhooksTest {
 protected:
  std::string tls_yaml(const std::string& cert, const std::string& key) const {
    return webhooks_yaml() + "  cert_file: " + cert + "\n  key_file: " + key + "\n";
  }
  testing::TestPki pki_{{"localhost"}, {"127.0.0.1"}};
};

TEST_F(WebhooksTlsTest, DeliveriesOverHttpsAreVerifiedAndStored) {
  LEADSYNC_REQUIRE_DATABASE();
  EnvOptions o;
  o.extra_yaml = tls_yaml(pki_.cert_file().string(), pki_.key_file().string());
  start_env(o);
  auto d = start_receiving_daemon();
  EXPECT_NE(d->output().find("/hubspot/webhooks (HTTPS only)"), std::string::npos) << d->output();
  // The receiver does not wait for leadership or a first cycle: it stores into the inbox on its own.
  subscribe({{"target_url", "https://localhost:" + std::to_string(port_) + "/hubspot/webhooks"},
             {"ca_file", pki_.ca_file().string()}});
  const json contact = admin("POST", "/_fake/contacts", R"({"properties":{}})");
  api("POST", "/crm/v3/objects/leads",
      json{{"properties", {{"hs_lead_name", "Over TLS"}}},
           {"associations", json::array({{{"to", {{"id", contact["id"]}}},
                                          {"types", json::array({{{"associationCategory", "HUBSPOT_DEFINED"},
                                                                  {"associationTypeId", 578}}})}}})}}
          .dump());
  ASSERT_TRUE(eventually([&] { return admin("GET", "/_fake/webhooks")["pending"] == 0 && inbox() > 0; }, 10s))
      << d->output() << admin("GET", "/_fake/webhooks").dump();
  const json st = admin("GET", "/_fake/webhooks");
  EXPECT_EQ(st["failed"], 0);
  EXPECT_EQ(st["last_status"], 200);
  EXPECT_EQ(inbox(), st["delivered"].get<long>());
  EXPECT_EQ(count("SELECT count(*) FROM leadsync.inbox WHERE subscription_type = 'object.creation'"), 1);

  // By hand over TLS, the same checks as ever: a forged signature is refused.
  const std::string body = "[" + event(920001) + "]";
  const auto ts = now_ms();
  testing::TlsClient forger(port_, pki_.ca_file());
  ASSERT_TRUE(forger.handshake_ok());
  EXPECT_EQ(forger.exchange(testing::webhook_request(body, ts, sign(body, ts, kPublicUrl, "forged"), true)),
            401);
  testing::TlsClient client(port_, pki_.ca_file());
  EXPECT_EQ(client.exchange(testing::webhook_request(body, ts, sign(body, ts), true)), 200);
  // Plain HTTP to the HTTPS port: no HTTP answer at all, nothing stored.
  const long before = inbox();
  const std::string plain = "[" + event(920002) + "]";
  EXPECT_THROW(post(plain, ts, sign(plain, ts)), std::runtime_error);
  EXPECT_EQ(inbox(), before);
}

TEST_F(WebhooksTlsTest, AKeyNotMatchingTheCertificateExitsSeventyEight) {
  LEADSYNC_REQUIRE_DATABASE();
  testing::TestPki other({"localhost"}, {});
  EnvOptions o;
  o.extra_yaml = tls_yaml(pki_.cert_file().string(), other.key_file().string());
  start_env(o);
  auto d = start_daemon({}, {{"LEADSYNC_WEBHOOK_SECRET", kSecret}});
  EXPECT_EQ(d->wait(30s), 78) << d->output();
  EXPECT_NE(d->output().find("webhooks.key_file '" + other.key_file().string() + "'"), std::string::npos)
      << d->output();
  std::ifstream in(other.key_file());
  std::stringstream key;
  key << in.rdbuf();
  const std::string key_text = key.str();
  const std::string key_line = key_text.substr(key_text.find('\n') + 1, 40);
  EXPECT_EQ(d->output().find(key_line), std::string::npos) << "the key's content was logged";
}

}  // namespace
}  // namespace leadsync::daemon_test
