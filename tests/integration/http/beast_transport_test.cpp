// BeastTransport against a real local server over real sockets: TLS verification with a PKI generated in the
// test, keep-alive reuse and reconnects, timeouts, truncation, size cap, concurrency limits, clean shutdown.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "leadsync/core/error.hpp"
#include "leadsync/http/beast_transport.hpp"
#include "test_pki.hpp"
#include "test_server.hpp"

namespace leadsync::http {
namespace {

using testing::LeafValidity;
using testing::Reply;
using testing::ServerRequest;
using testing::TestPki;
using testing::TestServer;
using Then = Reply::Then;
using namespace std::chrono_literals;

constexpr const char* kToken = "pat-na1-11111111-2222-3333-4444-555555555555";

const TestPki& localhost_pki() {
  static const TestPki pki({"localhost"}, {"127.0.0.1"});
  return pki;
}
const TestPki& otherhost_pki() {
  static const TestPki pki({"otherhost"}, {});
  return pki;
}
const TestPki& expired_pki() {
  static const TestPki pki({"localhost"}, {"127.0.0.1"}, LeafValidity::expired);
  return pki;
}
const TestPki& not_yet_valid_pki() {
  static const TestPki pki({"localhost"}, {"127.0.0.1"}, LeafValidity::not_yet_valid);
  return pki;
}

Request get(std::string target = "/crm/v3/objects/leads") {
  Request request;
  request.target = std::move(target);
  request.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  return request;
}

Request post(std::string body) {
  Request request = get("/crm/v3/objects/leads");
  request.method = "POST";
  request.body = std::move(body);
  return request;
}

Reply ok(std::string body = "{}") {
  Reply reply;
  reply.body = std::move(body);
  return reply;
}

// A transport on its own io_context; run() drives one coroutine to completion on the calling thread.
class Client {
 public:
  explicit Client(TransportOptions options)
      : transport_(std::make_unique<BeastTransport>(ioc_.get_executor(), std::move(options))) {}

  BeastTransport& transport() { return *transport_; }
  net::io_context& ioc() { return ioc_; }

  template <class T>
  T run(net::awaitable<T> work) {
    std::optional<T> result;
    std::exception_ptr error;
    net::co_spawn(ioc_, std::move(work), [&](std::exception_ptr e, T value) {
      error = e;
      if (!e) result.emplace(std::move(value));
    });
    drive();
    if (error) std::rethrow_exception(error);
    return std::move(*result);
  }

  void run(net::awaitable<void> work) {
    std::exception_ptr error;
    net::co_spawn(ioc_, std::move(work), [&](std::exception_ptr e) { error = e; });
    drive();
    if (error) std::rethrow_exception(error);
  }

  Response send(Request request) { return run(transport_->send(std::move(request))); }

  // Runs until every spawned coroutine finished (pooled idle connections are not work).
  void drive() {
    ioc_.restart();
    ioc_.run();
  }

 private:
  net::io_context ioc_;  // outlives the transport
  std::unique_ptr<BeastTransport> transport_;
};

TransportError expect_transport_error(const std::function<void()>& action, TransportErrorKind expected) {
  try {
    action();
  } catch (const TransportError& e) {
    EXPECT_EQ(e.transport_kind(), expected) << "got " << to_string(e.transport_kind()) << ": " << e.what();
    EXPECT_EQ(std::string(e.what()).find(kToken), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("Authorization"), std::string::npos) << e.what();
    return e;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected TransportError(" << to_string(expected) << "), got: " << e.what();
    return TransportError(TransportErrorKind::protocol, "wrong exception");
  }
  ADD_FAILURE() << "expected TransportError(" << to_string(expected) << "), nothing was thrown";
  return TransportError(TransportErrorKind::protocol, "nothing thrown");
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// ---- TLS verification
// ------------------------------------------------------------------------------------------

TransportOptions tls_options(const TestServer& server, std::string host = "localhost") {
  TransportOptions options;
  options.base_url = "https://" + host + ":" + std::to_string(server.port());
  options.ca_file = localhost_pki().ca_file().string();
  return options;
}

TEST(BeastTransportTls, VerificationFailsWithoutTheCa) {
  TestServer server([](const ServerRequest&) { return ok(); }, {.pki = &localhost_pki()});
  TransportOptions options = tls_options(server);
  options.ca_file.reset();  // system store only: it does not know the test CA
  Client client(options);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_verify);
  EXPECT_TRUE(error.is_fatal());
  EXPECT_TRUE(contains(error.what(), "localhost:" + std::to_string(server.port()))) << error.what();
  EXPECT_TRUE(contains(error.what(), "unable to get local issuer certificate")) << error.what();
  EXPECT_TRUE(contains(error.what(), "ca_file")) << error.what();
  EXPECT_EQ(server.requests(), 0);
}

TEST(BeastTransportTls, VerificationSucceedsWithTheCaFileByNameAndByIp) {
  TestServer server([](const ServerRequest&) { return ok(R"({"tls":true})"); }, {.pki = &localhost_pki()});
  for (const char* host : {"localhost", "127.0.0.1"}) {
    Client client(tls_options(server, host));
    const auto response = client.send(get());
    EXPECT_EQ(response.status, 200) << host;
    EXPECT_EQ(response.body, R"({"tls":true})") << host;
  }
  const auto received = server.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].headers.at("host"), "localhost:" + std::to_string(server.port()));
  EXPECT_EQ(received[1].headers.at("host"), "127.0.0.1:" + std::to_string(server.port()));
}

TEST(BeastTransportTls, ACertificateForAnotherHostFails) {
  TestServer server([](const ServerRequest&) { return ok(); }, {.pki = &otherhost_pki()});
  TransportOptions options = tls_options(server);
  options.ca_file = otherhost_pki().ca_file().string();  // trusted CA, wrong name
  {
    Client client(options);
    const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_verify);
    EXPECT_TRUE(contains(error.what(), "hostname mismatch")) << error.what();
    EXPECT_TRUE(contains(error.what(), "does not name 'localhost'")) << error.what();
  }
  options.base_url = "https://127.0.0.1:" + std::to_string(server.port());
  {
    Client client(options);
    const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_verify);
    EXPECT_TRUE(contains(error.what(), "IP address mismatch")) << error.what();
  }
  EXPECT_EQ(server.requests(), 0);
}

// A certificate outside its validity period, from a CA that is trusted: a verification failure like an
// untrusted one (fatal, never retried, nothing sent), saying which it is, naming the host and the clock.
TEST(BeastTransportTls, AnExpiredCertificateIsAVerificationFailureNamingTheHost) {
  TestServer server([](const ServerRequest&) { return ok(); }, {.pki = &expired_pki()});
  for (const char* host : {"localhost", "127.0.0.1"}) {
    TransportOptions options = tls_options(server, host);
    options.ca_file = expired_pki().ca_file().string();
    Client client(options);
    const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_verify);
    EXPECT_TRUE(error.is_fatal());
    EXPECT_TRUE(contains(error.what(), std::string("TLS certificate verification failed for ") + host + ":" +
                                           std::to_string(server.port()) + ": certificate has expired"))
        << error.what();
    EXPECT_TRUE(contains(error.what(), "this machine's clock")) << error.what();
    EXPECT_FALSE(contains(error.what(), "ca_file")) << error.what();  // the CA is trusted: not the advice
  }
  EXPECT_EQ(server.requests(), 0);
}

TEST(BeastTransportTls, ACertificateNotYetValidIsAVerificationFailureNamingTheHost) {
  TestServer server([](const ServerRequest&) { return ok(); }, {.pki = &not_yet_valid_pki()});
  TransportOptions options = tls_options(server);
  options.ca_file = not_yet_valid_pki().ca_file().string();
  Client client(options);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_verify);
  EXPECT_TRUE(error.is_fatal());
  EXPECT_TRUE(contains(error.what(), "TLS certificate verification failed for localhost:" +
                                         std::to_string(server.port()) + ": certificate is not yet valid"))
      << error.what();
  EXPECT_TRUE(contains(error.what(), "this machine's clock")) << error.what();
  EXPECT_EQ(server.requests(), 0);
}

TEST(BeastTransportTls, HttpsToAPlainServerIsAHandshakeFailureNotAVerificationFailure) {
  TestServer server([](const ServerRequest&) { return ok(); }, {});
  Client client(tls_options(server));
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::tls_handshake);
  EXPECT_TRUE(error.is_transient());
  EXPECT_TRUE(contains(error.what(), "TLS handshake")) << error.what();
}

TEST(BeastTransportTls, AStalledHandshakeTimesOut) {
  TestServer server([](const ServerRequest&) { return ok(); },
                    {.pki = &localhost_pki(), .stall_tls_handshake = true});
  TransportOptions options = tls_options(server);
  options.tls_handshake_timeout = 200ms;
  Client client(options);
  const auto start = std::chrono::steady_clock::now();
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_TRUE(contains(error.what(), "tls_handshake_timeout 200ms")) << error.what();
}

TEST(BeastTransportTls, ShutdownClosesPooledConnectionsWithCloseNotify) {
  TestServer server([](const ServerRequest&) { return ok(); }, {.pki = &localhost_pki()});
  Client client(tls_options(server));
  EXPECT_EQ(client.send(get()).status, 200);
  EXPECT_EQ(client.send(get()).status, 200);
  client.run(client.transport().shutdown());
  ASSERT_TRUE(server.wait_for_closed_connections(1));
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(server.clean_closes(), 1);
  EXPECT_EQ(server.truncated_closes(), 0);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::closed);
  EXPECT_TRUE(contains(error.what(), "shut down")) << error.what();
  client.run(client.transport().shutdown());  // idempotent
}

TEST(BeastTransportTls, BadCaFilesAreFatalAtConstruction) {
  net::io_context ioc;
  TransportOptions options;
  options.base_url = "https://localhost:1";
  options.ca_file = "/nonexistent/ca.pem";
  try {
    BeastTransport transport(ioc.get_executor(), options);
    ADD_FAILURE() << "accepted a missing ca_file";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_TRUE(contains(e.what(), "/nonexistent/ca.pem")) << e.what();
  }
  options.ca_file = localhost_pki().key_file().string();  // a key, not certificates
  try {
    BeastTransport transport(ioc.get_executor(), options);
    ADD_FAILURE() << "accepted a ca_file without certificates";
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_TRUE(contains(e.what(), "ca_file")) << e.what();
  }
}

TEST(BeastTransportConfig, PlainHttpToNonLoopbackAndMalformedUrlsAreRefusedAtConstruction) {
  net::io_context ioc;
  TransportOptions options;
  options.base_url = "http://api.hubapi.com";
  try {
    BeastTransport transport(ioc.get_executor(), options);
    ADD_FAILURE() << "accepted";
  } catch (const TransportError& e) {
    EXPECT_EQ(e.transport_kind(), TransportErrorKind::insecure_refused);
  }
  options.base_url = "https://api.hubapi.com/crm";
  EXPECT_THROW(BeastTransport(ioc.get_executor(), options), core::Error);
}

TEST(BeastTransportErrors, UnresolvableHostIsAResolveError) {
  TransportOptions options;
  options.base_url = "https://leadsync-test.invalid";
  Client client(options);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::resolve);
  EXPECT_TRUE(contains(error.what(), "leadsync-test.invalid:443")) << error.what();
}

TEST(BeastTransportErrors, RefusedConnectionIsAConnectError) {
  std::uint16_t port = 0;
  {
    // A port that was just free: nothing listens there now.
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor(ioc, net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    port = acceptor.local_endpoint().port();
  }
  TransportOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(port);
  Client client(options);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::connect);
  EXPECT_TRUE(contains(error.what(), "127.0.0.1:" + std::to_string(port))) << error.what();
}

// ---- behaviour over plain HTTP and over TLS
// ----------------------------------------------------------------------

class BeastTransportBehaviour : public ::testing::TestWithParam<bool> {
 protected:
  bool tls() const { return GetParam(); }

  std::unique_ptr<TestServer> start(testing::Handler handler) {
    TestServer::Options server_options;
    if (tls()) server_options.pki = &localhost_pki();
    return std::make_unique<TestServer>(std::move(handler), server_options);
  }

  TransportOptions options_for(const TestServer& server) {
    TransportOptions options;
    if (tls()) {
      options = tls_options(server);
    } else {
      options.base_url = "http://127.0.0.1:" + std::to_string(server.port());
    }
    return options;
  }
};

INSTANTIATE_TEST_SUITE_P(PlainAndTls, BeastTransportBehaviour, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& param_info) {
                           return param_info.param ? "tls" : "plain";
                         });

TEST_P(BeastTransportBehaviour, SendsTheRequestAndCopiesTheResponse) {
  auto server = start([](const ServerRequest& request) {
    Reply reply = ok(R"({"echo":)" + request.body + "}");
    reply.status = 201;
    reply.headers = {{"X-HubSpot-RateLimit-Remaining", "42"}, {"X-HubSpot-Correlation-Id", "c-1"}};
    return reply;
  });
  Client client(options_for(*server));
  const auto response = client.send(post(R"({"a":1})"));
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, R"({"echo":{"a":1}})");
  EXPECT_EQ(response.header("x-hubspot-ratelimit-remaining"), "42");
  EXPECT_EQ(response.header("X-HUBSPOT-CORRELATION-ID"), "c-1");

  const auto received = server->received();
  ASSERT_EQ(received.size(), 1u);
  const auto& request = received[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/crm/v3/objects/leads");
  EXPECT_EQ(request.body, R"({"a":1})");
  EXPECT_EQ(request.headers.at("host"),
            std::string(tls() ? "localhost:" : "127.0.0.1:") + std::to_string(server->port()));
  EXPECT_EQ(request.headers.at("user-agent"), "leadsync/0.1");
  EXPECT_EQ(request.headers.at("accept"), "application/json");
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.headers.at("content-length"), "7");
  EXPECT_EQ(request.headers.at("authorization"), std::string("Bearer ") + kToken);
  EXPECT_TRUE(server->errors().empty());
}

TEST_P(BeastTransportBehaviour, KeepAliveReusesOneConnectionForSequentialRequests) {
  auto server =
      start([](const ServerRequest& request) { return ok(std::to_string(request.request_on_connection)); });
  Client client(options_for(*server));
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(client.send(get()).body, std::to_string(i));
  EXPECT_EQ(server->accepted(), 1);
  const auto stats = client.transport().stats();
  EXPECT_EQ(stats.requests, 5u);
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_reused, 4u);
  EXPECT_EQ(stats.stale_retries, 0u);
}

TEST_P(BeastTransportBehaviour, HonoursConnectionCloseFromTheServer) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.headers = {{"Connection", "close"}};
    return reply;
  });
  Client client(options_for(*server));
  EXPECT_EQ(client.send(get()).status, 200);
  EXPECT_EQ(client.send(get()).status, 200);
  EXPECT_EQ(server->accepted(), 2);
  EXPECT_EQ(client.transport().stats().connections_reused, 0u);
}

TEST_P(BeastTransportBehaviour, AnIdleConnectionClosedByTheServerIsReplacedTransparently) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::close_after;  // like an idle keep-alive timeout, without a Connection: close header
    return reply;
  });
  Client client(options_for(*server));
  EXPECT_EQ(client.send(get()).status, 200);
  ASSERT_TRUE(server->wait_for_closed_connections(1));
  EXPECT_EQ(client.send(post("{}")).status, 200);  // even a POST: the closed connection is noticed before use
  EXPECT_EQ(server->accepted(), 2);
  EXPECT_EQ(server->requests(), 2);
}

TEST_P(BeastTransportBehaviour, AReusedConnectionDroppedBeforeTheResponseIsRetriedOnceOnAFreshOne) {
  auto server = start([](const ServerRequest& request) {
    Reply reply = ok("conn " + std::to_string(request.connection));
    if (request.request_on_connection == 2) reply.then = Then::close_before_response;
    return reply;
  });
  Client client(options_for(*server));
  EXPECT_EQ(client.send(get()).body, "conn 1");
  EXPECT_EQ(client.send(get()).body, "conn 2");
  EXPECT_EQ(server->accepted(), 2);
  EXPECT_EQ(server->requests(), 3);
  EXPECT_EQ(client.transport().stats().stale_retries, 1u);
}

TEST_P(BeastTransportBehaviour, AFullyWrittenPostIsNotReplayedWhenAReusedConnectionDrops) {
  auto server = start([](const ServerRequest& request) {
    Reply reply = ok();
    if (request.request_on_connection == 2) reply.then = Then::close_before_response;
    return reply;
  });
  Client client(options_for(*server));
  EXPECT_EQ(client.send(get()).status, 200);
  const auto error =
      expect_transport_error([&] { client.send(post(R"({"create":1})")); }, TransportErrorKind::closed);
  EXPECT_TRUE(error.is_transient());
  EXPECT_EQ(server->requests(), 2);  // the POST reached the server exactly once
  EXPECT_EQ(server->accepted(), 1);
}

TEST_P(BeastTransportBehaviour, ARequestOnAFreshConnectionIsNeverRetried) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::close_before_response;
    return reply;
  });
  Client client(options_for(*server));
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::closed);
  EXPECT_TRUE(contains(error.what(), "reading the response")) << error.what();
  EXPECT_EQ(server->requests(), 1);
  EXPECT_EQ(server->accepted(), 1);
}

TEST_P(BeastTransportBehaviour, TheServerClosingMidResponseIsClosed) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::truncate_body;
    return reply;
  });
  Client client(options_for(*server));
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::closed);
  EXPECT_TRUE(contains(error.what(), "reading the response from")) << error.what();
  EXPECT_EQ(server->requests(), 1);
}

TEST_P(BeastTransportBehaviour, AStalledServerTimesOutAfterIoTimeout) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::stall;
    return reply;
  });
  TransportOptions options = options_for(*server);
  options.io_timeout = 200ms;
  Client client(options);
  const auto start_time = std::chrono::steady_clock::now();
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start_time, 200ms);
  EXPECT_TRUE(contains(error.what(), "io_timeout 200ms")) << error.what();
  EXPECT_TRUE(contains(error.what(), "reading the response")) << error.what();
}

TEST_P(BeastTransportBehaviour, AServerGoingSilentMidBodyTimesOutAfterIoTimeout) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::stall_mid_body;
    return reply;
  });
  TransportOptions options = options_for(*server);
  options.io_timeout = 200ms;
  Client client(options);
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::timeout);
  EXPECT_TRUE(contains(error.what(), "io_timeout 200ms")) << error.what();
}

TEST_P(BeastTransportBehaviour, TheRequestTimeoutBoundsATricklingResponse) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok();
    reply.then = Then::trickle;  // a byte every 50 ms: io_timeout never fires
    return reply;
  });
  TransportOptions options = options_for(*server);
  options.io_timeout = 5s;
  options.request_timeout = 300ms;
  Client client(options);
  const auto start_time = std::chrono::steady_clock::now();
  const auto error = expect_transport_error([&] { client.send(get()); }, TransportErrorKind::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start_time, 300ms);
  EXPECT_TRUE(contains(error.what(), "request_timeout 300ms")) << error.what();

  Request with_own_budget = get();
  with_own_budget.timeout = 250ms;
  const auto own = expect_transport_error([&] { client.send(with_own_budget); }, TransportErrorKind::timeout);
  EXPECT_TRUE(contains(own.what(), "request timeout 250ms")) << own.what();
}

TEST_P(BeastTransportBehaviour, AnOversizedResponseIsTooLargeAndItsConnectionIsDropped) {
  auto server = start([](const ServerRequest& request) {
    return ok(std::string(request.target == "/big" ? 4096 : 10, 'x'));
  });
  TransportOptions options = options_for(*server);
  options.max_response_bytes = 1024;
  Client client(options);
  EXPECT_EQ(client.send(get("/small")).body.size(), 10u);
  const auto error = expect_transport_error([&] { client.send(get("/big")); }, TransportErrorKind::too_large);
  EXPECT_TRUE(contains(error.what(), "max_response_bytes")) << error.what();
  EXPECT_EQ(client.send(get("/small")).status, 200);
  EXPECT_EQ(server->accepted(), 2);
}

TEST_P(BeastTransportBehaviour, ConcurrentRequestsShareAtMostMaxConnections) {
  auto server = start([](const ServerRequest& request) {
    Reply reply = ok(request.target);
    reply.delay = 20ms;  // keep requests overlapping
    return reply;
  });
  TransportOptions options = options_for(*server);
  options.max_connections = 2;
  Client client(options);
  constexpr int kRequests = 8;
  std::vector<std::optional<Response>> responses(kRequests);
  std::vector<std::string> failures;
  for (int i = 0; i < kRequests; ++i) {
    net::co_spawn(
        client.ioc(),
        [&client, &responses, i]() -> net::awaitable<void> {
          responses[static_cast<std::size_t>(i)] =
              co_await client.transport().send(get("/r" + std::to_string(i)));
        },
        [&failures](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            failures.push_back(ex.what());
          }
        });
  }
  client.drive();
  EXPECT_TRUE(failures.empty()) << failures.front();
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_TRUE(responses[static_cast<std::size_t>(i)].has_value()) << i;
    EXPECT_EQ(responses[static_cast<std::size_t>(i)]->body, "/r" + std::to_string(i));
  }
  EXPECT_LE(server->max_open(), 2);
  EXPECT_EQ(server->accepted(), 2);
  EXPECT_EQ(server->requests(), kRequests);
  EXPECT_EQ(client.transport().stats().connections_reused, static_cast<std::uint64_t>(kRequests - 2));
}

TEST_P(BeastTransportBehaviour, WaitingForAFreeConnectionCountsAgainstTheRequestTimeout) {
  auto server = start([](const ServerRequest& request) {
    Reply reply = ok();
    if (request.target == "/slow") reply.then = Then::stall;
    return reply;
  });
  TransportOptions options = options_for(*server);
  options.max_connections = 1;
  Client client(options);
  std::optional<TransportError> slow_error;
  std::optional<TransportError> waiting_error;
  auto capture = [](std::optional<TransportError>& into) {
    return [&into](std::exception_ptr e) {
      try {
        if (e) std::rethrow_exception(e);
      } catch (const TransportError& error) {
        into.emplace(error);
      }
    };
  };
  Request slow = get("/slow");
  slow.timeout = 600ms;
  Request quick = get("/quick");
  quick.timeout = 200ms;
  net::co_spawn(client.ioc(), client.transport().send(slow),
                [&](std::exception_ptr e, Response) { capture(slow_error)(e); });
  net::co_spawn(client.ioc(), client.transport().send(quick),
                [&](std::exception_ptr e, Response) { capture(waiting_error)(e); });
  client.drive();
  ASSERT_TRUE(waiting_error.has_value());
  EXPECT_EQ(waiting_error->transport_kind(), TransportErrorKind::timeout) << waiting_error->what();
  EXPECT_TRUE(contains(waiting_error->what(), "waiting for a free connection")) << waiting_error->what();
  EXPECT_TRUE(contains(waiting_error->what(), "max_connections 1")) << waiting_error->what();
  ASSERT_TRUE(slow_error.has_value());
  EXPECT_EQ(slow_error->transport_kind(), TransportErrorKind::timeout) << slow_error->what();
  EXPECT_EQ(server->requests(), 1);
  // The slot is free again afterwards.
  EXPECT_EQ(client.send(get("/quick")).status, 200);
}

TEST_P(BeastTransportBehaviour, ShutdownWaitsForInFlightRequestsAndFailsLaterOnes) {
  auto server = start([](const ServerRequest&) {
    Reply reply = ok("done");
    reply.delay = 50ms;
    return reply;
  });
  Client client(options_for(*server));
  std::optional<Response> in_flight;
  net::co_spawn(client.ioc(), client.transport().send(get()), [&](std::exception_ptr e, Response r) {
    if (!e) in_flight.emplace(std::move(r));
  });
  bool shut_down = false;
  net::co_spawn(client.ioc(), client.transport().shutdown(), [&](std::exception_ptr e) { shut_down = !e; });
  client.drive();
  ASSERT_TRUE(in_flight.has_value());
  EXPECT_EQ(in_flight->body, "done");
  EXPECT_TRUE(shut_down);
  ASSERT_TRUE(server->wait_for_closed_connections(1));
  EXPECT_EQ(server->clean_closes(), 1);
  EXPECT_EQ(server->truncated_closes(), 0);
  expect_transport_error([&] { client.send(get()); }, TransportErrorKind::closed);
}

}  // namespace
}  // namespace leadsync::http
