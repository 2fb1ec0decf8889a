#pragma once
// BeastTransport: the production Transport. HTTPS (TLS 1.2+, peer verification against the system CA store
// plus an optional PEM bundle, SNI, host-name check); plain http:// only to loopback. Keeps up to
// max_connections keep-alive connections: at most that many requests run at once, the others wait for a
// free connection. A reused connection that turns out closed before any response byte arrives is replaced
// by a fresh one once (idempotent methods; POST/PATCH only when the request could not be written); a
// request on a fresh connection is never retried here (retry policy belongs to the client).
// Timeouts: connect, TLS handshake, every single read/write (io_timeout), and the whole request
// (Request::timeout, or request_timeout when that is 0) including the wait for a connection. DNS lookup is
// bounded by the system resolver's own timeouts and then by the request deadline.
// Throws: the constructor throws TransportError(insecure_refused) for http:// to a non-loopback host and
// core::Error (fatal) for a malformed base_url or an unreadable ca_file; send() throws TransportError
// (messages name host:port and the phase, never headers or bodies) and std::invalid_argument for a
// malformed Request (bad method token, target not origin-form, CR/LF in a header); after shutdown()
// send() throws TransportError(closed).
// Thread-safety: not thread-safe. Construct with the network io_context's executor and call send() and
// shutdown() only from coroutines running on that single-threaded executor. Requests may overlap.
// Lifetime: in-flight send() calls keep the internals alive; destroy the transport (and the io_context)
// only after they finished. Call shutdown() first for a clean TLS close.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "leadsync/core/net.hpp"
#include "leadsync/http/transport.hpp"

namespace leadsync::http {

struct TransportOptions {
  std::string base_url;                // "https://api.hubapi.com" or "http://127.0.0.1:8080" (no path)
  std::optional<std::string> ca_file;  // extra PEM bundle, trusted in addition to the system CA store
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds tls_handshake_timeout{10'000};
  std::chrono::milliseconds io_timeout{30'000};       // each single read or write
  std::chrono::milliseconds request_timeout{60'000};  // whole request when Request::timeout is 0
  std::size_t max_response_bytes = 64u << 20;         // body cap; headers are capped at 64 KiB
  std::size_t max_connections = 4;                    // keep-alive pool size = concurrent requests
  std::string user_agent = "leadsync/0.1";
};

// Counters since construction, for metrics and tests.
struct TransportStats {
  std::uint64_t requests = 0;            // send() calls that got a connection
  std::uint64_t connections_opened = 0;  // successful TCP (+TLS) connects
  std::uint64_t connections_reused = 0;  // requests that started on a pooled keep-alive connection
  std::uint64_t stale_retries = 0;       // requests replayed on a fresh connection after a reused one failed
};

class BeastTransport final : public Transport {
 public:
  BeastTransport(net::any_io_executor executor, TransportOptions options);
  ~BeastTransport() override;
  BeastTransport(const BeastTransport&) = delete;
  BeastTransport& operator=(const BeastTransport&) = delete;

  net::awaitable<Response> send(Request request) override;

  // Fails requests still waiting for a connection, waits for in-flight requests to finish, then closes every
  // pooled connection (TLS close_notify, bounded by min(io_timeout, 5 s); a truncated reply is benign).
  // Never throws for network errors. Later send() calls throw TransportError(closed).
  net::awaitable<void> shutdown();

  TransportStats stats() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace leadsync::http
