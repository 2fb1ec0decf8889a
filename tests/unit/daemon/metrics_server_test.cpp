// The metrics server's answer when its handler fails: a 500 without the exception's text (it may carry a
// database's DETAIL, row values or a path), which goes to the log instead.
#include "metrics_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <stdexcept>
#include <thread>

#include "leadsync/testing/http_client.hpp"

namespace leadsync::daemon {
namespace {

TEST(MetricsServerTest, AFailingHandlerAnswers500WithoutItsText) {
  net::io_context io;
  MetricsServer server(io.get_executor(), [](const std::string&, const std::string&) -> HttpReply {
    throw std::runtime_error("ERROR: duplicate key\nDETAIL: Key (email)=(ada@example.com) already exists.");
  });
  const auto port = server.start("127.0.0.1", 0);
  std::thread runner([&io] { io.run(); });
  const auto r = testing::http_request(port, "GET", "/readyz");
  net::post(io, [&server] { server.stop(); });
  runner.join();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "internal error (see leadsync's log)\n");
}

}  // namespace
}  // namespace leadsync::daemon
