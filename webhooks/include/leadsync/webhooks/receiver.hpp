#pragma once
// Receiver: the HTTP/1.1 listener HubSpot (or a reverse proxy in front of leadsync) POSTs webhook batches
// to. Order of work per request: method and path, body cap (while reading), signature headers, timestamp
// window, signature v3 over public_url, then the batch (portal and app); only a request that passed all
// of them reaches the sink, and the 2xx is sent only after the sink reports the batch durably stored.
// A refused request gets its status (401/400/404/405/413) with an empty body; a sink that cannot store
// gets 503 so that HubSpot retries later. Every request ends in exactly one outcome for the counter.
// Limits: per-connection deadline (TLS handshake, head and body), at most max_connections at once (more
// are closed at accept), keep-alive.
// With `tls` set the listener speaks HTTPS only (TLS 1.2 or later): a plain-HTTP request, or a client that
// does not finish the handshake within the deadline, loses its connection and reaches none of the checks.
// The Beast code lives in receiver.cpp alone; this header exposes no Beast types.
// Errors: start() throws core::Error (fatal, CONFIG) when it cannot listen, or cannot load the TLS files
// (unreadable, not PEM, key not matching the certificate); the message names the file, never its content.
// Thread-safety: construct, start and stop on the executor's thread; sink and counter run there too.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "leadsync/core/net.hpp"
#include "leadsync/webhooks/verify.hpp"

namespace leadsync::webhooks {

// PEM files for native TLS; both are read once, by start().
struct TlsFiles {
  std::string cert_chain_file;  // the server certificate first, then any intermediates
  std::string key_file;         // the private key of that certificate, unencrypted
};

struct ReceiverOptions {
  std::string path = "/hubspot/webhooks";
  std::string public_url;  // the exact URL HubSpot calls: what the signature covers
  std::string client_secret;
  std::int64_t portal_id = 0;
  std::optional<std::int64_t> app_id;
  std::size_t max_body_bytes = 1024 * 1024;
  std::size_t max_connections = 64;
  std::chrono::milliseconds request_deadline{10'000};  // head and body of one request
  std::chrono::milliseconds idle_timeout{30'000};      // between keep-alive requests
  TimestampWindow window;
  std::optional<TlsFiles> tls;  // set: HTTPS only
};

enum class SinkResult { stored, unavailable };
// Stores a verified batch durably (one transaction, duplicates ignored); resolves only after commit.
using Sink = std::function<net::awaitable<SinkResult>(std::vector<InboxEvent>)>;
// `outcome` is "accepted", "unavailable" or a Refusal's outcome_label.
using OutcomeCounter = std::function<void(const char* outcome)>;

class Receiver {
 public:
  Receiver(net::any_io_executor executor, ReceiverOptions options, Sink sink, OutcomeCounter counter);
  ~Receiver();
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  // Binds host:port (0 = any free port), starts accepting, returns the bound port.
  std::uint16_t start(const std::string& host, std::uint16_t port);
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace leadsync::webhooks
