// The receiver on a loopback socket with an in-memory sink: only a request that passed every check
// reaches the sink and gets 200 after the sink stored it; each refusal gets its status with an empty body
// and is counted; a sink that cannot store gets 503; the body cap, the connection limit and the deadline
// hold against clients that do not play along.
#include "leadsync/webhooks/receiver.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "leadsync/testing/http_client.hpp"

namespace leadsync::webhooks {
namespace {

using leadsync::testing::connect_loopback;
using leadsync::testing::read_until_closed;

using namespace std::chrono_literals;

constexpr const char* kSecret = "unit-secret-3f9a";
constexpr const char* kUrl = "https://leadsync.example.com/hubspot/webhooks";
constexpr std::int64_t kPortal = 12345678;

std::string now_ms(std::int64_t offset_ms = 0) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count() +
                        offset_ms);
}

std::string event(std::int64_t id, std::int64_t portal = kPortal, std::int64_t app = 1234001) {
  return R"({"eventId":)" + std::to_string(id) + R"(,"portalId":)" + std::to_string(portal) + R"(,"appId":)" +
         std::to_string(app) +
         R"(,"subscriptionType":"object.creation","objectId":42,"objectTypeId":"0-136"})";
}

class ReceiverTest : public ::testing::Test {
 protected:
  void start(ReceiverOptions o = {}) {
    o.public_url = kUrl;
    o.client_secret = kSecret;
    o.portal_id = kPortal;
    o.app_id = 1234001;
    options_ = o;
    receiver_ = std::make_unique<Receiver>(
        io_.get_executor(), o,
        [this](std::vector<InboxEvent> events) -> net::awaitable<SinkResult> {
          std::lock_guard lock(mutex_);
          if (!sink_available_) co_return SinkResult::unavailable;
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
    if (!receiver_) return;
    net::post(io_, [this] { receiver_->stop(); });
    runner_.join();
  }
  testing::SimpleResponse post(const std::string& body, const std::string& ts, const std::string& sig,
                               const std::string& target = "/hubspot/webhooks",
                               const std::string& method = "POST") {
    return testing::http_request(port_, method, target, body,
                                 {{"Content-Type", "application/json"},
                                  {"X-HubSpot-Request-Timestamp", ts},
                                  {"X-HubSpot-Signature-v3", sig}});
  }
  testing::SimpleResponse post_signed(const std::string& body, const std::string& ts = now_ms()) {
    return post(body, ts, signature_v3(kSecret, "POST", kUrl, body, ts));
  }
  int outcome(const std::string& o) {
    std::lock_guard lock(mutex_);
    return outcomes_[o];
  }
  std::size_t stored() {
    std::lock_guard lock(mutex_);
    return stored_.size();
  }

  net::io_context io_;
  std::unique_ptr<Receiver> receiver_;
  ReceiverOptions options_;
  std::thread runner_;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  bool sink_available_ = true;
  std::vector<InboxEvent> stored_;
  std::map<std::string, int> outcomes_;
};

TEST_F(ReceiverTest, AVerifiedBatchIsStoredThenAcknowledged) {
  start();
  const auto r = post_signed("[" + event(1) + "," + event(2) + "]");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  ASSERT_EQ(stored(), 2u);
  EXPECT_EQ(stored_[1].event_id, 2);
  EXPECT_EQ(outcome("accepted"), 1);
}

TEST_F(ReceiverTest, EachRefusalGetsItsStatusWithoutDetailAndStoresNothing) {
  start();
  const std::string body = "[" + event(1) + "]";
  const auto ts = now_ms();
  const auto sig = signature_v3(kSecret, "POST", kUrl, body, ts);
  struct Case {
    const char* what;
    testing::SimpleResponse r;
    int status;
    const char* outcome;
  };
  const auto stale = now_ms(-5 * 60 * 1000 - 5000);
  const auto future = now_ms(2 * 60 * 1000);
  const std::string foreign_portal = "[" + event(1) + "," + event(2, 99999) + "]";
  const std::string foreign_app = "[" + event(1, kPortal, 777) + "]";
  const Case cases[] = {
      {"forged signature", post(body, ts, signature_v3("forged", "POST", kUrl, body, ts)), 401,
       "bad_signature"},
      {"body changed after signing", post("[" + event(2) + "]", ts, sig), 401, "bad_signature"},
      {"signed for another URL",
       post(body, ts, signature_v3(kSecret, "POST", "http://127.0.0.1/hubspot/webhooks", body, ts)), 401,
       "bad_signature"},
      {"stale timestamp", post(body, stale, signature_v3(kSecret, "POST", kUrl, body, stale)), 401, "stale"},
      {"future timestamp", post(body, future, signature_v3(kSecret, "POST", kUrl, body, future)), 401,
       "stale"},
      {"no signature headers", testing::http_request(port_, "POST", "/hubspot/webhooks", body), 401,
       "unsigned"},
      {"GET", post("", ts, sig, "/hubspot/webhooks", "GET"), 405, "wrong_method"},
      {"PUT", post(body, ts, sig, "/hubspot/webhooks", "PUT"), 405, "wrong_method"},
      {"another path", post(body, ts, sig, "/hubspot/webhooks/x"), 404, "wrong_path"},
      {"another portal", post_signed(foreign_portal, ts), 400, "foreign"},
      {"another app", post_signed(foreign_app, ts), 400, "foreign"},
      {"not an array", post_signed(R"({"eventId":1})", ts), 400, "malformed"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.r.status, c.status) << c.what;
    EXPECT_EQ(c.r.body, "") << c.what;
  }
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(outcome("bad_signature"), 3);
  EXPECT_EQ(outcome("stale"), 2);
  EXPECT_EQ(outcome("unsigned"), 1);
  EXPECT_EQ(outcome("wrong_method"), 2);
  EXPECT_EQ(outcome("wrong_path"), 1);
  EXPECT_EQ(outcome("foreign"), 2);
  EXPECT_EQ(outcome("malformed"), 1);
  EXPECT_EQ(outcome("accepted"), 0);
}

TEST_F(ReceiverTest, ABodyOverTheCapIsRefusedWith413) {
  ReceiverOptions o;
  o.max_body_bytes = 4096;
  start(o);
  // A correctly signed body one byte over the cap: refused on size, never parsed or stored.
  std::string body = "[" + event(1);
  body += std::string(4096 - body.size() - 1, ' ') + "]";
  EXPECT_EQ(body.size(), 4096u);
  EXPECT_EQ(post_signed(body).status, 200) << "exactly at the cap";
  body.insert(body.size() - 1, " ");
  EXPECT_EQ(post_signed(body).status, 413);
  // Announced by Content-Length alone: answered from the head, before the body is sent.
  const int fd = connect_loopback(port_);
  ASSERT_GE(fd, 0);
  const std::string head =
      "POST /hubspot/webhooks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 10485760\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  const auto [got, closed] = read_until_closed(fd, 5s);
  ::close(fd);
  EXPECT_EQ(got.substr(0, 12), "HTTP/1.1 413") << got;
  EXPECT_TRUE(closed) << "the connection is not kept for the rest of the body";
  EXPECT_EQ(outcome("too_large"), 2);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(ReceiverTest, ASinkThatCannotStoreGets503SoThatHubSpotRetries) {
  start();
  sink_available_ = false;
  const std::string body = "[" + event(1) + "]";
  EXPECT_EQ(post_signed(body).status, 503);
  EXPECT_EQ(outcome("unavailable"), 1);
  sink_available_ = true;
  EXPECT_EQ(post_signed(body).status, 200);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(ReceiverTest, ASlowClientIsDisconnectedAtTheDeadline) {
  ReceiverOptions o;
  o.request_deadline = 300ms;
  start(o);
  const int fd = connect_loopback(port_);
  ASSERT_GE(fd, 0);
  const std::string partial = "POST /hubspot/webhooks HTTP/1.1\r\nHost: x\r\n";
  (void)::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL);
  const auto [got, closed] = read_until_closed(fd, 5s);
  ::close(fd);
  EXPECT_TRUE(closed) << "still open after 5 s with a 300 ms deadline";
  EXPECT_EQ(got, "") << "no answer to a request that never completed";
}

TEST_F(ReceiverTest, ConnectionsOverTheLimitAreClosedAtAccept) {
  ReceiverOptions o;
  o.max_connections = 2;
  start(o);
  const int a = connect_loopback(port_), b = connect_loopback(port_);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::this_thread::sleep_for(200ms);  // both accepted and counted
  const int c = connect_loopback(port_);
  ASSERT_GE(c, 0);
  const auto [got, closed] = read_until_closed(c, 5s);
  ::close(c);
  EXPECT_TRUE(closed) << "a third connection was kept";
  EXPECT_FALSE(read_until_closed(a, 100ms).second) << "the first two stay open";
  ::close(a);
  ::close(b);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(post_signed("[" + event(1) + "]").status, 200) << "a slot is free again";
}

}  // namespace
}  // namespace leadsync::webhooks
