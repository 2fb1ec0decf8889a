// The receiver with native TLS: a signed POST over HTTPS is stored and acknowledged and the connection
// ends with close_notify; plain HTTP on the TLS port and a client that never handshakes lose their
// connection (the latter at the deadline, freeing its slot); unusable certificate or key files make
// start() fail with the file named and nothing of the key in the message.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "leadsync/core/error.hpp"
#include "leadsync/testing/http_client.hpp"
#include "leadsync/webhooks/receiver.hpp"
#include "test_pki.hpp"
#include "test_tls_client.hpp"

namespace leadsync::webhooks {
namespace {

using leadsync::testing::connect_loopback;
using leadsync::testing::read_until_closed;

using namespace std::chrono_literals;
using leadsync::testing::TestPki;
using leadsync::testing::TlsClient;
using leadsync::testing::webhook_request;

constexpr const char* kSecret = "tls-secret-8d2b";
constexpr const char* kUrl = "https://localhost/hubspot/webhooks";
constexpr std::int64_t kPortal = 12345678;

std::string now_ms() {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count());
}

std::string event(std::int64_t id) {
  return R"({"eventId":)" + std::to_string(id) + R"(,"portalId":)" + std::to_string(kPortal) +
         R"(,"appId":1234001,"subscriptionType":"object.creation","objectId":42,"objectTypeId":"0-136"})";
}

std::string signed_request(const std::string& body, bool close) {
  const auto ts = now_ms();
  return webhook_request(body, ts, signature_v3(kSecret, "POST", kUrl, body, ts), close);
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ReceiverTlsTest : public ::testing::Test {
 protected:
  ReceiverOptions tls_options() const {
    ReceiverOptions o;
    o.public_url = kUrl;
    o.client_secret = kSecret;
    o.portal_id = kPortal;
    o.tls = TlsFiles{pki_.cert_file().string(), pki_.key_file().string()};
    return o;
  }
  void start(ReceiverOptions o) {
    receiver_ = std::make_unique<Receiver>(
        io_.get_executor(), std::move(o),
        [this](std::vector<InboxEvent> events) -> net::awaitable<SinkResult> {
          std::lock_guard lock(mutex_);
          for (auto& e : events) stored_.push_back(std::move(e));
          co_return SinkResult::stored;
        },
        [this](const char* outcome) {
          std::lock_guard lock(mutex_);
          ++outcomes_[outcome];
        });
    port_ = receiver_->start("127.0.0.1", 0);
    runner_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (!runner_.joinable()) return;
    net::post(io_, [this] { receiver_->stop(); });
    runner_.join();
  }
  std::size_t stored() {
    std::lock_guard lock(mutex_);
    return stored_.size();
  }
  int outcomes() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (const auto& [k, v] : outcomes_) n += v;
    return n;
  }
  // The message start() throws with these files, "" when it does not throw.
  std::string start_error(const std::string& cert, const std::string& key) {
    ReceiverOptions o = tls_options();
    o.tls = TlsFiles{cert, key};
    Receiver r(
        io_.get_executor(), o,
        [](std::vector<InboxEvent>) -> net::awaitable<SinkResult> { co_return SinkResult::stored; },
        [](const char*) {});
    try {
      r.start("127.0.0.1", 0);
    } catch (const core::Error& e) {
      return e.what();
    }
    return "";
  }

  TestPki pki_{{"localhost"}, {"127.0.0.1"}};
  net::io_context io_;
  std::unique_ptr<Receiver> receiver_;
  std::thread runner_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::vector<InboxEvent> stored_;
  std::map<std::string, int> outcomes_;
};

TEST_F(ReceiverTlsTest, ASignedPostOverHttpsIsStoredThenAcknowledged) {
  start(tls_options());
  TlsClient client(port_, pki_.ca_file());
  ASSERT_TRUE(client.handshake_ok()) << "the test CA's localhost certificate was not served";
  EXPECT_TRUE(client.verified());
  // Two requests on one kept-alive connection, the second asking to close.
  EXPECT_EQ(client.exchange(signed_request("[" + event(1) + "]", false)), 200) << client.last_head();
  EXPECT_EQ(client.exchange(signed_request("[" + event(2) + "]", true)), 200) << client.last_head();
  EXPECT_TRUE(client.closed_cleanly()) << "the receiver did not end the TLS session with close_notify";
  EXPECT_EQ(stored(), 2u);
  // The checks are the same as over plain HTTP: a forged signature is still refused.
  TlsClient forger(port_, pki_.ca_file());
  const std::string body = "[" + event(3) + "]";
  const auto ts = now_ms();
  EXPECT_EQ(forger.exchange(webhook_request(body, ts, signature_v3("forged", "POST", kUrl, body, ts), true)),
            401);
  EXPECT_EQ(stored(), 2u);
}

TEST_F(ReceiverTlsTest, PlainHttpOnTheTlsPortIsDroppedAndStoresNothing) {
  start(tls_options());
  const int fd = connect_loopback(port_);
  ASSERT_GE(fd, 0);
  const std::string request = signed_request("[" + event(1) + "]", false);
  ASSERT_EQ(::send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  const auto [got, closed] = read_until_closed(fd, 5s);
  ::close(fd);
  EXPECT_TRUE(closed) << "a plain-HTTP client kept its connection";
  EXPECT_EQ(got.find("HTTP/"), std::string::npos) << "answered in plain HTTP: " << got;
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(outcomes(), 0) << "a request that never got past TLS is not a webhook request";
  TlsClient client(port_, pki_.ca_file());
  EXPECT_EQ(client.exchange(signed_request("[" + event(2) + "]", true)), 200) << "still serving HTTPS";
}

TEST_F(ReceiverTlsTest, AClientThatNeverHandshakesIsDroppedAtTheDeadline) {
  ReceiverOptions o = tls_options();
  o.request_deadline = 300ms;
  o.max_connections = 1;
  start(o);
  const int silent = connect_loopback(port_);
  ASSERT_GE(silent, 0);
  const auto before = std::chrono::steady_clock::now();
  const auto [got, closed] = read_until_closed(silent, 5s);
  ::close(silent);
  EXPECT_TRUE(closed) << "a client that never sent a ClientHello still holds its connection after 5 s";
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
  // Its slot (the only one) is free again.
  TlsClient client(port_, pki_.ca_file());
  EXPECT_EQ(client.exchange(signed_request("[" + event(1) + "]", true)), 200);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(ReceiverTlsTest, UnusableCertificateOrKeyFilesFailStartWithTheFileNamed) {
  const std::string cert = pki_.cert_file().string();
  const std::string key = pki_.key_file().string();
  const std::string key_text = slurp(pki_.key_file());
  ASSERT_NE(key_text.find("PRIVATE KEY"), std::string::npos);
  const std::string key_line = key_text.substr(key_text.find('\n') + 1, 40);  // base64 of the key itself
  TestPki other({"localhost"}, {});
  const std::string missing = (pki_.dir() / "missing.pem").string();
  const auto garbage = pki_.dir() / "garbage.pem";
  std::ofstream(garbage) << "not a certificate\n";

  struct Case {
    const char* what;
    std::string cert, key;
    std::string expected;
  };
  const Case cases[] = {
      {"missing certificate", missing, key,
       "webhooks.cert_file '" + missing + "': cannot be read: No such file"},
      {"missing key", cert, missing, "webhooks.key_file '" + missing + "': cannot be read: No such file"},
      {"certificate file holds the key", key, key,
       "webhooks.cert_file '" + key + "': not a PEM certificate chain"},
      {"certificate file is not PEM", garbage.string(), key,
       "webhooks.cert_file '" + garbage.string() + "': not a PEM certificate chain"},
      {"key file holds a certificate", cert, cert,
       "webhooks.key_file '" + cert + "': cannot be loaded as the PEM private key"},
      {"key of another certificate", cert, other.key_file().string(),
       "webhooks.key_file '" + other.key_file().string() + "': cannot be loaded as the PEM private key"},
  };
  for (const auto& c : cases) {
    const std::string error = start_error(c.cert, c.key);
    EXPECT_NE(error.find(c.expected), std::string::npos) << c.what << ": " << error;
    EXPECT_EQ(error.find(key_line), std::string::npos) << c.what << ": the key's content is in the message";
    EXPECT_EQ(error.find("PRIVATE KEY"), std::string::npos) << c.what;
  }
  // The message for a mismatched key says so.
  const std::string mismatch = start_error(cert, other.key_file().string());
  EXPECT_TRUE(mismatch.find("does not match") != std::string::npos ||
              mismatch.find("values mismatch") != std::string::npos)
      << mismatch;
  EXPECT_EQ(start_error(cert, key), "") << "the matching pair loads";
}

}  // namespace
}  // namespace leadsync::webhooks
