// The per-request exchange over boost::beast::test::stream: request framing, response parsing and limits,
// keep-alive decisions, failure classification, and a failure injected at every single read/write.
#include "exchange.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/http/error.hpp>
#include <stdexcept>
#include <string>

namespace leadsync::http::detail {
namespace {

namespace test = boost::beast::test;

constexpr const char* kSecret = "Bearer pat-na1-s3cr3t";
constexpr const char* kWhere = "api.hubapi.com:443";

struct Outcome {
  bool done = false;
  std::exception_ptr error;
  ExchangeResult result;
};

Request post_request() {
  Request request;
  request.method = "POST";
  request.target = "/crm/v3/objects/leads?archived=false";
  request.headers = {{"Authorization", kSecret}};
  request.body = R"({"properties":{"email":"a@example.com"}})";
  return request;
}

RequestMessage message_for(const Request& request) {
  return make_request_message(request, RequestDefaults{"api.hubapi.com", "leadsync/test"});
}

// Runs one exchange on `client` to completion. run_for only bounds a hang so that it fails the test instead
// of blocking ctest; a working exchange finishes as soon as its handlers ran.
Outcome run_exchange(net::io_context& ioc, test::stream& client, RequestMessage& message,
                     ExchangeLimits limits = {}) {
  Outcome outcome;
  net::co_spawn(ioc, exchange(client, message, limits, [] {}),
                [&outcome](std::exception_ptr error, ExchangeResult result) {
                  outcome.done = true;
                  outcome.error = error;
                  outcome.result = std::move(result);
                });
  ioc.run_for(std::chrono::seconds(5));
  return outcome;
}

// Sends `request` and feeds `response` to the client, then returns the outcome and what the server received.
struct Conversation {
  Outcome outcome;
  std::string received;
};
Conversation converse(const std::string& response, Request request = post_request(),
                      ExchangeLimits limits = {}, bool close_after_response = false) {
  net::io_context ioc;
  test::stream client(ioc);
  test::stream server(ioc);
  client.connect(server);
  client.append(response);
  if (close_after_response) client.close_remote();
  auto message = message_for(request);
  Conversation c;
  c.outcome = run_exchange(ioc, client, message, limits);
  c.received = server.str();
  return c;
}

TransportError classify(const ExchangeResult& result) {
  return classify_failure(result.ec, result.phase, kWhere, "io_timeout 30000ms");
}

const std::string kOk =
    "HTTP/1.1 201 Created\r\n"
    "Content-Type: application/json;charset=utf-8\r\n"
    "X-HubSpot-RateLimit-Remaining: 189\r\n"
    "Set-Cookie: a=1\r\n"
    "Set-Cookie: b=2\r\n"
    "Content-Length: 11\r\n"
    "\r\n"
    "{\"id\":\"42\"}";

// ---- request framing
// ----------------------------------------------------------------------------------------

TEST(Exchange, WritesTheRequestWithTheTransportsHeaders) {
  const auto c = converse(kOk);
  ASSERT_TRUE(c.outcome.done);
  ASSERT_FALSE(c.outcome.result.ec) << c.outcome.result.ec.message();
  const std::string& wire = c.received;
  EXPECT_EQ(wire.rfind("POST /crm/v3/objects/leads?archived=false HTTP/1.1\r\n", 0), 0u) << wire;
  EXPECT_NE(wire.find("Host: api.hubapi.com\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("User-Agent: leadsync/test\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("Accept: application/json\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("Content-Type: application/json\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("Content-Length: 40\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find(std::string("Authorization: ") + kSecret + "\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("Connection:"), std::string::npos) << wire;
  EXPECT_EQ(wire.substr(wire.size() - 40), post_request().body);
}

TEST(Exchange, CallerHeadersWinExceptTheOnesTheTransportOwns) {
  Request request = post_request();
  request.headers = {{"host", "evil.example"},         {"Content-Length", "999"},
                     {"Transfer-Encoding", "chunked"}, {"Connection", "close"},
                     {"accept", "text/plain"},         {"content-type", "application/merge-patch+json"},
                     {"user-agent", "custom/1"}};
  const auto c = converse(kOk, request);
  ASSERT_FALSE(c.outcome.result.ec);
  const std::string& wire = c.received;
  EXPECT_NE(wire.find("Host: api.hubapi.com\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("evil.example"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("999"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("chunked"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("close"), std::string::npos) << wire;
  EXPECT_NE(wire.find("accept: text/plain\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("application/json"), std::string::npos) << wire;
  EXPECT_NE(wire.find("user-agent: custom/1\r\n"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("leadsync/test"), std::string::npos) << wire;
}

TEST(Exchange, GetWithoutBodyHasNoContentTypeOrLength) {
  Request request;
  request.target = "/crm/v3/objects/leads";
  const auto c = converse(kOk, request);
  ASSERT_FALSE(c.outcome.result.ec);
  EXPECT_EQ(c.received.rfind("GET /crm/v3/objects/leads HTTP/1.1\r\n", 0), 0u);
  EXPECT_EQ(c.received.find("Content-Type"), std::string::npos) << c.received;
  EXPECT_EQ(c.received.find("Content-Length"), std::string::npos) << c.received;
  EXPECT_TRUE(c.received.ends_with("\r\n\r\n"));
}

TEST(Exchange, PostWithoutBodySendsContentLengthZero) {
  Request request;
  request.method = "POST";
  request.target = "/x";
  const auto c = converse(kOk, request);
  ASSERT_FALSE(c.outcome.result.ec);
  EXPECT_NE(c.received.find("Content-Length: 0\r\n"), std::string::npos) << c.received;
}

TEST(Exchange, MalformedRequestsAreRejectedWithoutEchoingHeaderValues) {
  RequestDefaults defaults{"api.hubapi.com", "ua"};
  Request bad_method = post_request();
  bad_method.method = "GET /x";
  EXPECT_THROW(make_request_message(bad_method, defaults), std::invalid_argument);
  for (const char* target : {"", "crm/v3", "/a b", "/a\r\nX-Injected: 1", "http://other/x"}) {
    Request bad_target = post_request();
    bad_target.target = target;
    EXPECT_THROW(make_request_message(bad_target, defaults), std::invalid_argument) << target;
  }
  Request bad_name = post_request();
  bad_name.headers.push_back({"Bad Name", "x"});
  EXPECT_THROW(make_request_message(bad_name, defaults), std::invalid_argument);
  Request injected = post_request();
  injected.headers = {{"Authorization", std::string(kSecret) + "\r\nX-Injected: 1"}};
  try {
    make_request_message(injected, defaults);
    ADD_FAILURE() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("Authorization"), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
  }
}

// ---- response parsing
// -----------------------------------------------------------------------------------------

TEST(Exchange, CopiesStatusHeadersAndBody) {
  const auto c = converse(kOk);
  ASSERT_FALSE(c.outcome.result.ec);
  const Response& response = c.outcome.result.response;
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.body, "{\"id\":\"42\"}");
  EXPECT_EQ(response.header("x-hubspot-ratelimit-remaining"), "189");
  int cookies = 0;
  for (const auto& h : response.headers) cookies += h.name == "Set-Cookie";
  EXPECT_EQ(cookies, 2);
  EXPECT_TRUE(c.outcome.result.keep_alive);
  EXPECT_TRUE(c.outcome.result.response_started);
}

TEST(Exchange, ReadsChunkedBodies) {
  const auto c = converse(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n");
  ASSERT_FALSE(c.outcome.result.ec) << c.outcome.result.ec.message();
  EXPECT_EQ(c.outcome.result.response.body, "{\"a\":1}");
  EXPECT_TRUE(c.outcome.result.keep_alive);
}

TEST(Exchange, SkipsInterimResponses) {
  const auto c = converse("HTTP/1.1 100 Continue\r\n\r\n" + kOk);
  ASSERT_FALSE(c.outcome.result.ec) << c.outcome.result.ec.message();
  EXPECT_EQ(c.outcome.result.response.status, 201);
}

TEST(Exchange, HeadResponsesHaveNoBodyDespiteContentLength) {
  Request request;
  request.method = "HEAD";
  request.target = "/x";
  const auto c = converse("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", request);
  ASSERT_FALSE(c.outcome.result.ec) << c.outcome.result.ec.message();
  EXPECT_EQ(c.outcome.result.response.body, "");
  EXPECT_TRUE(c.outcome.result.keep_alive);
}

TEST(Exchange, KeepAliveFollowsTheServer) {
  EXPECT_FALSE(converse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
                   .outcome.result.keep_alive);
  EXPECT_FALSE(converse("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok").outcome.result.keep_alive);
  EXPECT_TRUE(converse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
                  .outcome.result.keep_alive);
  // Bytes after the response: the framing cannot be trusted for another request.
  EXPECT_FALSE(converse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA").outcome.result.keep_alive);
  // A body delimited by the end of the connection.
  const auto until_eof = converse("HTTP/1.1 200 OK\r\n\r\nall of it", post_request(), {}, true);
  ASSERT_FALSE(until_eof.outcome.result.ec) << until_eof.outcome.result.ec.message();
  EXPECT_EQ(until_eof.outcome.result.response.body, "all of it");
  EXPECT_FALSE(until_eof.outcome.result.keep_alive);
}

// ---- limits and malformed responses
// ---------------------------------------------------------------------------

TEST(Exchange, BodyOverTheLimitIsTooLarge) {
  ExchangeLimits limits;
  limits.max_body_bytes = 1000;
  const auto declared = converse("HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", post_request(), limits);
  ASSERT_TRUE(declared.outcome.result.ec);
  EXPECT_EQ(classify(declared.outcome.result).transport_kind(), TransportErrorKind::too_large);
  EXPECT_EQ(classify(declared.outcome.result).oversized_part(), OversizedPart::body);

  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "190\r\n" + std::string(400, 'x') + "\r\n";
  chunked += "0\r\n\r\n";
  const auto streamed = converse(chunked, post_request(), limits);
  ASSERT_TRUE(streamed.outcome.result.ec);
  EXPECT_EQ(classify(streamed.outcome.result).transport_kind(), TransportErrorKind::too_large);

  const auto until_eof =
      converse("HTTP/1.1 200 OK\r\n\r\n" + std::string(1500, 'x'), post_request(), limits, true);
  ASSERT_TRUE(until_eof.outcome.result.ec);
  EXPECT_EQ(classify(until_eof.outcome.result).transport_kind(), TransportErrorKind::too_large);
  EXPECT_EQ(classify(until_eof.outcome.result).oversized_part(), OversizedPart::body);

  const auto exact = converse("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'),
                              post_request(), limits);
  EXPECT_FALSE(exact.outcome.result.ec);
}

TEST(Exchange, HeadersOverTheLimitAreTooLarge) {
  ExchangeLimits limits;
  limits.max_header_bytes = 512;
  const auto c =
      converse("HTTP/1.1 200 OK\r\nX-Big: " + std::string(1000, 'h') + "\r\nContent-Length: 0\r\n\r\n",
               post_request(), limits);
  ASSERT_TRUE(c.outcome.result.ec);
  const auto error = classify(c.outcome.result);
  EXPECT_EQ(error.transport_kind(), TransportErrorKind::too_large) << error.what();
  EXPECT_EQ(error.oversized_part(), OversizedPart::headers);
}

TEST(Exchange, UnparsableResponsesAreProtocolErrors) {
  for (const std::string& garbage :
       {std::string("HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n"),
        std::string("SSH-2.0-OpenSSH_9.2\r\n\r\n"), std::string("HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nContent-Length: 12x\r\n\r\n"),
        std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")}) {
    const auto c = converse(garbage);
    ASSERT_TRUE(c.outcome.done);
    ASSERT_TRUE(c.outcome.result.ec) << garbage;
    const auto error = classify(c.outcome.result);
    EXPECT_EQ(error.transport_kind(), TransportErrorKind::protocol) << garbage << ": " << error.what();
    EXPECT_TRUE(error.is_transient());
  }
}

// ---- failures at every step
// -------------------------------------------------------------------------------------

void expect_sensible(const TransportError& error, const std::string& context) {
  const std::string message = error.what();
  EXPECT_NE(message.find(kWhere), std::string::npos) << context << ": " << message;
  EXPECT_NE(message.find("while"), std::string::npos) << context << ": " << message;
  EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << context << ": " << message;
  EXPECT_EQ(message.find("Authorization"), std::string::npos) << context << ": " << message;
  EXPECT_TRUE(error.is_transient()) << context;
}

TEST(Exchange, AFailureAtEveryReadAndWriteBecomesAClosedError) {
  for (const std::size_t io_size : {std::size_t{1}, std::size_t{7}, std::size_t{1} << 20}) {
    bool succeeded = false;
    int failures = 0;
    for (int n = 0; n < 5000 && !succeeded; ++n) {
      net::io_context ioc;
      test::fail_count fail_at(static_cast<std::size_t>(n));
      test::stream client(ioc, fail_at);
      test::stream server(ioc);
      client.connect(server);
      client.read_size(io_size);
      client.write_size(io_size);
      client.append(kOk);
      auto message = message_for(post_request());
      const auto outcome = run_exchange(ioc, client, message);
      const std::string context =
          "io size " + std::to_string(io_size) + ", failing step " + std::to_string(n);
      ASSERT_TRUE(outcome.done) << "hang: " << context;
      ASSERT_FALSE(outcome.error) << "exception: " << context;
      if (!outcome.result.ec) {
        EXPECT_EQ(outcome.result.response.status, 201) << context;
        EXPECT_EQ(outcome.result.response.body, "{\"id\":\"42\"}") << context;
        succeeded = true;
        break;
      }
      ++failures;
      EXPECT_EQ(outcome.result.ec, test::error::test_failure) << context;
      const auto error = classify(outcome.result);
      EXPECT_EQ(error.transport_kind(), TransportErrorKind::closed) << context << ": " << error.what();
      expect_sensible(error, context);
      // The first failures hit the write, later ones the read, never both orders mixed.
      if (outcome.result.phase == Phase::write) {
        EXPECT_FALSE(outcome.result.response_started) << context;
      }
    }
    EXPECT_TRUE(succeeded) << "io size " << io_size;
    // With 1-byte I/O every byte of the request and of the response is a step of its own.
    if (io_size == 1) {
      EXPECT_GT(failures, static_cast<int>(kOk.size() + message_for(post_request()).body().size()));
    } else {
      EXPECT_GE(failures, 2);
    }
  }
}

TEST(Exchange, TheServerClosingAtEveryByteOfTheResponseIsClosedNeverAHang) {
  for (std::size_t cut = 0; cut < kOk.size(); ++cut) {
    const auto c = converse(kOk.substr(0, cut), post_request(), {}, true);
    const std::string context = "response cut at byte " + std::to_string(cut);
    ASSERT_TRUE(c.outcome.done) << context;
    ASSERT_TRUE(c.outcome.result.ec) << context;
    EXPECT_EQ(c.outcome.result.phase, Phase::read) << context;
    EXPECT_EQ(c.outcome.result.response_started, cut > 0) << context;
    const auto error = classify(c.outcome.result);
    EXPECT_EQ(error.transport_kind(), TransportErrorKind::closed) << context << ": " << error.what();
    expect_sensible(error, context);
  }
}

TEST(Exchange, AWriteToAClosedPeerFailsInTheWritePhase) {
  net::io_context ioc;
  test::stream client(ioc);
  {
    test::stream server(ioc);
    client.connect(server);
  }  // the peer is gone: writes see connection_reset
  auto message = message_for(post_request());
  const auto outcome = run_exchange(ioc, client, message);
  ASSERT_TRUE(outcome.done);
  EXPECT_EQ(outcome.result.phase, Phase::write);
  EXPECT_FALSE(outcome.result.response_started);
  EXPECT_TRUE(is_stale_connection_error(outcome.result.ec)) << outcome.result.ec.message();
  EXPECT_EQ(classify(outcome.result).transport_kind(), TransportErrorKind::closed);
}

// ---- classification and the stale-connection retry rule
// ---------------------------------------------------------

TEST(ClassifyFailure, MapsEachPhaseAndErrorToItsKind) {
  struct Case {
    beast::error_code ec;
    Phase phase;
    TransportErrorKind kind;
  };
  const Case cases[] = {
      {beast::error::timeout, Phase::connect, TransportErrorKind::timeout},
      {beast::error::timeout, Phase::tls_handshake, TransportErrorKind::timeout},
      {beast::error::timeout, Phase::read, TransportErrorKind::timeout},
      {net::error::host_not_found, Phase::resolve, TransportErrorKind::resolve},
      {net::error::connection_refused, Phase::connect, TransportErrorKind::connect},
      {net::error::eof, Phase::tls_handshake, TransportErrorKind::tls_handshake},
      {net::ssl::error::stream_truncated, Phase::read, TransportErrorKind::closed},
      {net::error::connection_reset, Phase::write, TransportErrorKind::closed},
      {bhttp::error::end_of_stream, Phase::read, TransportErrorKind::closed},
      {bhttp::error::partial_message, Phase::read, TransportErrorKind::closed},
      {net::error::operation_aborted, Phase::read, TransportErrorKind::closed},
      {bhttp::error::body_limit, Phase::read, TransportErrorKind::too_large},
      {bhttp::error::header_limit, Phase::read, TransportErrorKind::too_large},
      {bhttp::error::bad_status, Phase::read, TransportErrorKind::protocol},
      {bhttp::error::bad_version, Phase::read, TransportErrorKind::protocol},
  };
  for (const auto& c : cases) {
    const auto error = classify_failure(c.ec, c.phase, "localhost:8443", "io_timeout 200ms");
    EXPECT_EQ(error.transport_kind(), c.kind)
        << c.ec.message() << " " << describe(c.phase) << ": " << error.what();
    EXPECT_NE(std::string(error.what()).find("localhost:8443"), std::string::npos) << error.what();
  }
  const auto timeout =
      classify_failure(beast::error::timeout, Phase::read, "localhost:8443", "io_timeout 200ms");
  EXPECT_NE(std::string(timeout.what()).find("io_timeout 200ms"), std::string::npos) << timeout.what();
  EXPECT_NE(std::string(timeout.what()).find("reading the response"), std::string::npos) << timeout.what();
}

TEST(StaleConnectionRetry, OnlyBeforeAnyResponseByteAndOnlyWhenSafe) {
  ExchangeResult write_reset;
  write_reset.ec = net::error::broken_pipe;
  write_reset.phase = Phase::write;
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::get, write_reset));
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::post, write_reset));

  ExchangeResult read_eof;
  read_eof.ec = bhttp::error::end_of_stream;
  read_eof.phase = Phase::read;
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::get, read_eof));
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::delete_, read_eof));
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::put, read_eof));
  // The server may have acted on a fully written POST/PATCH: that is the client's retry policy's call.
  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::post, read_eof));
  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::patch, read_eof));

  ExchangeResult truncated_tls = read_eof;
  truncated_tls.ec = net::ssl::error::stream_truncated;
  EXPECT_TRUE(should_retry_on_fresh_connection(bhttp::verb::get, truncated_tls));

  ExchangeResult started = read_eof;
  started.ec = bhttp::error::partial_message;
  started.response_started = true;
  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::get, started));

  ExchangeResult timed_out = read_eof;
  timed_out.ec = beast::error::timeout;
  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::get, timed_out));

  ExchangeResult garbage = read_eof;
  garbage.ec = bhttp::error::bad_version;
  garbage.response_started = true;
  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::get, garbage));

  EXPECT_FALSE(should_retry_on_fresh_connection(bhttp::verb::get, ExchangeResult{}));
}

}  // namespace
}  // namespace leadsync::http::detail
