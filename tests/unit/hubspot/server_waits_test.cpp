// Waits a server asks for are bounded (Retry-After at hubspot.retry.max_backoff, a rate-limit window at an
// hour), and every wait of the client and its limiter ends at once on stop_waiting().
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <thread>

#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string one_lead_page() {
  return Json{{"results", Json::array({lead_json("1")})}}.dump();
}

class ServerWaitTest : public ClientFixture {};

TEST_F(ServerWaitTest, ARetryAfterOfYearsIsCutToMaxBackoff) {
  transport.respond(429, kTenSecondlyBody, {{"Retry-After", "1000000000"}}).respond(200, one_lead_page());
  run_sync(client.list_page({}));
  EXPECT_THAT(sleeps(), ElementsAre(client.options().retry.max_backoff));
}

TEST_F(ServerWaitTest, ARetryAfterBeyondAnyIntegerIsCutWithoutOverflow) {
  transport.respond(503, "{}", {{"Retry-After", "1e300"}}).respond(200, one_lead_page());
  run_sync(client.list_page({}));
  EXPECT_THAT(sleeps(), ElementsAre(client.options().retry.max_backoff));
}

TEST_F(ServerWaitTest, ARateLimitWindowOfYearsIsCutToAnHour) {
  transport.respond(200, one_lead_page(), {{"X-HubSpot-RateLimit-Interval-Milliseconds", "31536000000000"}});
  run_sync(client.list_page({}));
  EXPECT_EQ(limiter.window(RatePolicy::ten_secondly), std::chrono::milliseconds(1h) + 50ms);
  transport.respond(200, one_lead_page(),
                    {{"X-HubSpot-RateLimit-Interval-Milliseconds", "99999999999999999999999999"},
                     {"X-HubSpot-RateLimit-Remaining", "-99999999999999999999999999"},
                     {"X-HubSpot-RateLimit-Max", "99999999999999999999999999"}});
  run_sync(client.list_page({}));
  EXPECT_EQ(limiter.window(RatePolicy::ten_secondly), std::chrono::milliseconds(1h) + 50ms);
  EXPECT_LE(limiter.in_use(RatePolicy::ten_secondly), limiter.capacity(RatePolicy::ten_secondly));
}

TEST_F(ServerWaitTest, AfterStopWaitingARetryIsNotWaitedFor) {
  client.stop_waiting();
  transport.respond(503, "{}");
  try {
    run_sync(client.list_page({}));
    FAIL() << "expected an error";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("HubSpot server error"));
    EXPECT_THAT(e.what(), HasSubstr("not retried: leadsync is stopping"));
  }
  EXPECT_TRUE(sleeps().empty());
  EXPECT_EQ(transport.requests().size(), 1u);
}

// With the real clock: a wait in progress ends when stop_waiting() is called, from another thread too.
struct RealClockClient {
  core::SystemClock clock;
  FixedRandom random;
  FakeTransport transport;
  StaticTokenProvider tokens{kToken};
  RecordingObserver observer;
  RateLimiter limiter{clock, RateLimitOptions{}};
  HubSpotClient client{transport, clock, random, tokens, limiter, observer};

  // Runs the call; stop_waiting() 100 ms in, from a thread of its own. Returns the error and how long it
  // took.
  std::pair<std::string, std::chrono::steady_clock::duration> run_and_stop() {
    net::io_context io;
    std::string error = "(no error)";
    net::co_spawn(io, client.list_page({}), [&](std::exception_ptr e, ListPage) {
      try {
        if (e) std::rethrow_exception(e);
      } catch (const std::exception& x) {
        error = x.what();
      }
    });
    const auto started = std::chrono::steady_clock::now();
    std::thread stopper([this] {
      std::this_thread::sleep_for(100ms);
      client.stop_waiting();
    });
    io.run();
    stopper.join();
    return {error, std::chrono::steady_clock::now() - started};
  }
};

TEST(StopWaiting, EndsARetryWaitInProgress) {
  RealClockClient c;
  c.transport.respond(429, kTenSecondlyBody, {{"Retry-After", "20"}});
  const auto [error, took] = c.run_and_stop();
  EXPECT_THAT(error, HasSubstr("not retried: leadsync is stopping"));
  EXPECT_LT(took, 5s);
}

TEST(StopWaiting, EndsARateLimitWaitInProgress) {
  RealClockClient c;
  c.limiter.pause(RatePolicy::ten_secondly, 1h);
  const auto [error, took] = c.run_and_stop();
  EXPECT_THAT(error, HasSubstr("leadsync is stopping"));
  EXPECT_LT(took, 5s);
  EXPECT_TRUE(c.transport.requests().empty());
}

}  // namespace
}  // namespace leadsync::hubspot::test
