#pragma once
// HTTP transport seam. The HubSpot client talks to HubSpot only through Transport::send, so unit tests
// can script responses (tests/support FakeTransport) and production uses BeastTransport (HTTPS,
// keep-alive pool, timeouts). A Response of any status is a value, not an error: only failures to get a
// complete response (resolve, connect, TLS, timeout, closed mid-response, oversized, unparsable) throw
// TransportError, which is a core::Error (transient, except TLS verification and insecure-URL refusals,
// which are fatal).
// Thread-safety: a Transport is used from one executor (the network io_context); not thread-safe.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/core/error.hpp"
#include "leadsync/core/net.hpp"

namespace leadsync::http {

struct Header {
  std::string name;
  std::string value;
};

struct Request {
  std::string method = "GET";   // GET POST PATCH PUT DELETE
  std::string target;           // origin-form: path + query, e.g. "/crm/v3/objects/leads?limit=100"
  std::vector<Header> headers;  // Host, Content-Length and User-Agent are set by the transport
  std::string body;
  std::chrono::milliseconds timeout{0};  // whole-request budget; 0 = the transport's default
};

struct Response {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  // Case-insensitive lookup of the first header with this name.
  std::optional<std::string_view> header(std::string_view name) const;
};

enum class TransportErrorKind {
  resolve,           // DNS lookup failed
  connect,           // TCP connect failed or refused
  tls_handshake,     // handshake failed for a reason other than verification
  tls_verify,        // peer certificate or host name did not verify (fatal)
  timeout,           // a phase or the whole request ran out of time
  closed,            // the peer closed the connection before a complete response
  protocol,          // the response could not be parsed as HTTP/1.1
  too_large,         // the response exceeded the size cap
  insecure_refused,  // plain http:// to a non-loopback host (fatal)
};

const char* to_string(TransportErrorKind kind) noexcept;

// Which part of a response went over its cap, for TransportErrorKind::too_large: the body has an operator's
// setting behind it (the HubSpot client names it), the headers a fixed limit. `none` for every other kind.
enum class OversizedPart { none, headers, body };

class TransportError : public core::Error {
 public:
  TransportError(TransportErrorKind kind, const std::string& message,
                 OversizedPart oversized = OversizedPart::none);
  TransportErrorKind transport_kind() const noexcept { return transport_kind_; }
  OversizedPart oversized_part() const noexcept { return oversized_; }

 private:
  TransportErrorKind transport_kind_;
  OversizedPart oversized_;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one request and returns the complete response. Throws TransportError.
  virtual net::awaitable<Response> send(Request request) = 0;
};

}  // namespace leadsync::http
