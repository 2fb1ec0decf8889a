#pragma once
// Private to leadsync_http. One HTTP/1.1 request/response exchange over an already connected stream, plus
// the pieces around it that need no socket: building the request message, classifying a failure into a
// TransportError, and deciding whether a failure on a reused keep-alive connection may be replayed.
// exchange() is a template over the stream so unit tests drive it with boost::beast::test::stream and a
// fail_count at every step; production instantiates it for beast::tcp_stream and beast::ssl_stream.
// Includes Beast: only beast_transport.cpp and the unit test include this header.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "leadsync/core/net.hpp"
#include "leadsync/http/transport.hpp"

namespace leadsync::http::detail {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using RequestMessage = bhttp::request<bhttp::string_body>;

// Where a request was when it failed; named in error messages.
enum class Phase { wait, resolve, connect, tls_handshake, write, read, shutdown };
const char* describe(Phase phase) noexcept;  // "while connecting", "while reading the response", ...

inline constexpr std::uint32_t kMaxHeaderBytes = 64 * 1024;

struct ExchangeLimits {
  std::size_t max_body_bytes = 64u << 20;
  std::uint32_t max_header_bytes = kMaxHeaderBytes;
};

struct ExchangeResult {
  beast::error_code ec;           // set when the exchange failed
  Phase phase = Phase::write;     // write or read: where it stopped
  bool response_started = false;  // at least one byte of a response arrived
  bool keep_alive = false;        // on success: the connection may carry another request
  Response response;              // on success
};

struct RequestDefaults {
  std::string host_header;  // "api.hubapi.com" or "127.0.0.1:8080"
  std::string user_agent;
};

// Builds the wire message: caller headers (minus Host, Content-Length, Transfer-Encoding, Connection, which
// the transport owns), Host, User-Agent and Accept: application/json unless given, Content-Type:
// application/json for a body without one, Content-Length. Throws std::invalid_argument for a malformed
// method, a target that is not origin-form, or a header with CR/LF/NUL (naming the header, never its value).
RequestMessage make_request_message(const Request& request, const RequestDefaults& defaults);

// Maps a failed step to a TransportError. `where` is "host:port"; `timeout_note` names the limit that was
// armed for this step (e.g. "io_timeout 200ms"), used when ec is a timeout.
TransportError classify_failure(const beast::error_code& ec, Phase phase, std::string_view where,
                                std::string_view timeout_note);

// True for the errors a keep-alive connection shows when the server had already closed it.
bool is_stale_connection_error(const beast::error_code& ec) noexcept;

// Whether a failed exchange on a REUSED connection may be replayed once on a fresh one: the server closed
// or reset it before any response byte. Idempotent methods qualify on write or first read; POST and PATCH
// only when the request could not even be written (after a complete write the server may have acted on it).
bool should_retry_on_fresh_connection(bhttp::verb method, const ExchangeResult& result) noexcept;

// Writes `request` and reads one final response (interim 1xx responses are skipped), with the header and
// body limits applied by the parser. `arm()` is called before every single read or write so the caller can
// set a per-step deadline. Never throws for I/O failures: they come back in ExchangeResult::ec.
template <class Stream, class Arm>
net::awaitable<ExchangeResult> exchange(Stream& stream, RequestMessage& request, ExchangeLimits limits,
                                        Arm arm) {
  const auto token = net::as_tuple(net::use_awaitable);
  ExchangeResult result;

  result.phase = Phase::write;
  bhttp::request_serializer<bhttp::string_body> serializer{request};
  while (!serializer.is_done()) {
    arm();
    auto [ec, n] = co_await bhttp::async_write_some(stream, serializer, token);
    (void)n;
    if (ec) {
      result.ec = ec;
      co_return result;
    }
  }

  result.phase = Phase::read;
  beast::flat_buffer buffer;
  // Beast reads at most the buffer's free capacity (>= 512 bytes): an empty buffer read a 70 KB page of leads
  // in ~120 reads of ~600 bytes, each with its own deadline (a timerfd_settime) and epoll round. With room
  // for 64 KB a page takes a few reads.
  buffer.reserve(std::size_t{64} * 1024);
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  for (;;) {
    parser.emplace();
    parser->header_limit(limits.max_header_bytes);
    parser->body_limit(limits.max_body_bytes);
    if (request.method() == bhttp::verb::head) parser->skip(true);
    while (!parser->is_done()) {
      arm();
      auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, *parser, token);
      (void)n;
      if (parser->got_some() || buffer.size() > 0) result.response_started = true;
      if (ec) {
        result.ec = ec;
        co_return result;
      }
    }
    const unsigned status = parser->get().result_int();
    if (status >= 100 && status < 200 && status != 101) continue;
    break;
  }

  const bool keep_alive = parser->keep_alive();
  auto message = parser->release();
  result.response.status = static_cast<int>(message.result_int());
  result.response.headers.reserve(static_cast<std::size_t>(std::distance(message.begin(), message.end())));
  for (const auto& field : message)
    result.response.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
  result.response.body = std::move(message.body());
  // Bytes after the response on a connection without pipelining mean the framing is off: do not reuse it.
  result.keep_alive = keep_alive && buffer.size() == 0;
  co_return result;
}

}  // namespace leadsync::http::detail
