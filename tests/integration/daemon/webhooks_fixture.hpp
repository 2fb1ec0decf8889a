#pragma once
// The webhook tests' fixture: a daemon with webhooks.enabled, fake-hubspot subscribed to it, and helpers to
// sign and post requests by hand. Included by one translation unit each (anonymous namespace).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_fixture.hpp"
#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon_test {
namespace {

using testing::http_request;

constexpr const char* kSecret = "wh-secret-5c1e-never-logged";
constexpr const char* kPublicUrl = "https://leadsync.example.com/hubspot/webhooks";
constexpr std::int64_t kPortal = 12345678;

inline std::string sign(const std::string& body, const std::string& ts, const std::string& url = kPublicUrl,
                        const std::string& secret = kSecret) {
  const std::string source = "POST" + url + body + ts;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(source.data()), source.size(), mac, &len);
  std::string out(4 * ((len + 2) / 3), '\0');
  out.resize(static_cast<std::size_t>(
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(len))));
  return out;
}

inline std::string now_ms(std::int64_t offset = 0) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        offset);
}

inline std::string event(std::int64_t id, std::int64_t portal = kPortal) {
  return R"({"eventId":)" + std::to_string(id) + R"(,"subscriptionId":5,"portalId":)" +
         std::to_string(portal) +
         R"(,"appId":1234001,"occurredAt":1765000000000,"subscriptionType":"object.propertyChange",)"
         R"("attemptNumber":0,"objectId":42,"objectTypeId":"0-136","propertyName":"hs_lead_name",)"
         R"("propertyValue":"x","changeSource":"CRM_UI"})";
}

// Only the head, with a Content-Length over the cap: the answer must come without the body being sent.
inline int post_head_only(std::uint16_t port, std::size_t content_length) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  const std::string head =
      "POST /hubspot/webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(content_length) + "\r\n\r\n";
  (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  char buf[256] = {};
  const auto n = ::recv(fd, buf, sizeof buf - 1, 0);
  ::close(fd);
  if (n < 12) return 0;
  return std::atoi(buf + 9);
}

class WebhooksTest : public DaemonFixture {
 protected:
  // listen_port 0: any free port (start_receiving_daemon reads it from the log).
  std::string webhooks_yaml(std::uint16_t listen_port = 0) const {
    return "webhooks:\n  enabled: true\n  listen: \"127.0.0.1:" + std::to_string(listen_port) +
           "\"\n  public_url: " + std::string(kPublicUrl) +
           "\n  client_secret_env: LEADSYNC_WEBHOOK_SECRET\n  app_id: 1234001\n  portal_id: " +
           std::to_string(kPortal) + "\n";
  }
  std::unique_ptr<testing::ChildProcess> start_receiving_daemon(testing::ChildProcess::Env extra_env = {}) {
    extra_env.emplace_back("LEADSYNC_WEBHOOK_SECRET", kSecret);
    auto d = start_daemon({}, std::move(extra_env));
    const auto line = d->wait_for_line("webhooks listening on 127.0.0.1:", 30s);
    const auto colon = line.rfind("127.0.0.1:") + 10;
    port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon)));
    return d;
  }
  void subscribe(json extra = json::object()) {
    json body = {{"target_url", "http://127.0.0.1:" + std::to_string(port_) + "/hubspot/webhooks"},
                 {"signed_url", kPublicUrl},
                 {"client_secret", kSecret},
                 {"retry_base_ms", 100}};
    body.update(extra);
    admin("POST", "/_fake/webhooks", body.dump());
  }
  testing::SimpleResponse post(const std::string& body, const std::string& ts, const std::string& signature,
                               const std::string& target = "/hubspot/webhooks",
                               const std::string& method = "POST") {
    return http_request(port_, method, target, body,
                        {{"Content-Type", "application/json"},
                         {"X-HubSpot-Request-Timestamp", ts},
                         {"X-HubSpot-Signature-v3", signature}});
  }
  static std::string metric(std::uint16_t metrics, const std::string& outcome) {
    const auto text = http_request(metrics, "GET", "/metrics").body;
    const std::string key = "leadsync_webhook_requests_total{outcome=\"" + outcome + "\"} ";
    const auto at = text.find(key);
    return at == std::string::npos ? "0"
                                   : text.substr(at + key.size(), text.find('\n', at) - at - key.size());
  }
  long inbox() const { return count("SELECT count(*) FROM leadsync.inbox"); }

  std::uint16_t port_ = 0;
};

}  // namespace
}  // namespace leadsync::daemon_test
