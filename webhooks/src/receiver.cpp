// The only Beast translation unit of leadsync_webhooks (see receiver.hpp).
#include "leadsync/webhooks/receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "leadsync/core/error.hpp"

namespace leadsync::webhooks {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using Clock = std::chrono::steady_clock;

namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string target_path(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

[[noreturn]] void tls_file_error(const char* key, const std::string& path, const std::string& why) {
  throw core::fatal_error("webhooks." + std::string(key) + " '" + path + "': " + why,
                          core::ErrorDetails{.category = "CONFIG"});
}

// Opening the file first turns "missing" and "permission denied" into the system's own words rather than
// OpenSSL's generic PEM failure.
void require_readable(const char* key, const std::string& path) {
  std::ifstream in(path);
  if (!in) tls_file_error(key, path, std::string("cannot be read: ") + std::strerror(errno));
}

// OpenSSL's reason strings name the failed check (no start line, key values mismatch), never the bytes read.
ssl::context server_tls_context(const TlsFiles& files) {
  require_readable("cert_file", files.cert_chain_file);
  require_readable("key_file", files.key_file);
  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                  ssl::context::single_dh_use);
  SSL_CTX_set_options(ctx.native_handle(), SSL_OP_NO_RENEGOTIATION);
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(files.cert_chain_file, ec);
  if (ec) tls_file_error("cert_file", files.cert_chain_file, "not a PEM certificate chain: " + ec.message());
  ctx.use_private_key_file(files.key_file, ssl::context::pem, ec);
  if (ec)
    tls_file_error("key_file", files.key_file,
                   "cannot be loaded as the PEM private key of the certificate in " + files.cert_chain_file +
                       ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    tls_file_error("key_file", files.key_file, "does not match the certificate in " + files.cert_chain_file);
  return ctx;
}

}  // namespace

struct Receiver::Impl : std::enable_shared_from_this<Impl> {
  net::any_io_executor executor;
  ReceiverOptions options;
  Sink sink;
  OutcomeCounter counter;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;  // loaded by start() when options.tls is set
  std::set<beast::tcp_stream*> sessions;
  bool stopped = false;
  // Refusals are logged at most once per 10 s, with how many were not logged: a flood of forged requests
  // must not flood the log. Never the body, the headers or the secret.
  Clock::time_point last_log{};
  std::uint64_t unlogged = 0;
  Clock::time_point last_handshake_log{};
  std::uint64_t unlogged_handshakes = 0;

  Impl(net::any_io_executor ex, ReceiverOptions o, Sink s, OutcomeCounter c)
      : executor(ex), options(std::move(o)), sink(std::move(s)), counter(std::move(c)), acceptor(ex) {}

  void log_refusal(const char* outcome, int status) {
    const auto now = Clock::now();
    if (last_log != Clock::time_point{} && now - last_log < std::chrono::seconds(10)) {
      ++unlogged;
      return;
    }
    spdlog::warn(
        "webhooks: refused a request ({}, answered {}){}", outcome, status,
        unlogged ? fmt::format("; {} more refused since the last such line", unlogged) : std::string());
    last_log = now;
    unlogged = 0;
  }

  // A failed handshake is not a request (no outcome counted), but a wrong certificate on our side shows up
  // only here, so it is logged, as sparingly as refusals.
  void log_handshake_failure(const boost::system::error_code& ec) {
    const auto now = Clock::now();
    if (last_handshake_log != Clock::time_point{} && now - last_handshake_log < std::chrono::seconds(10)) {
      ++unlogged_handshakes;
      return;
    }
    spdlog::warn("webhooks: TLS handshake failed: {}{}", ec.message(),
                 unlogged_handshakes
                     ? fmt::format("; {} more failed since the last such line", unlogged_handshakes)
                     : std::string());
    last_handshake_log = now;
    unlogged_handshakes = 0;
  }

  net::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (stopped || ec == net::error::operation_aborted) break;
      if (ec) {
        spdlog::warn("webhooks: accept failed: {}", ec.message());
        net::steady_timer pause(executor, std::chrono::milliseconds(200));
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      if (sessions.size() >= options.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto connection = tls ? tls_session(std::move(socket)) : plain_session(std::move(socket));
      net::co_spawn(executor, std::move(connection), [self](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::debug("webhooks: connection ended: {}", ex.what());
        }
      });
    }
  }

  int refuse_too_large() {
    const int status = http_status(Refusal::too_large);
    counter(outcome_label(Refusal::too_large));
    log_refusal(outcome_label(Refusal::too_large), status);
    return status;
  }

  // The status for one complete request, after the checks and (when they pass) the sink.
  net::awaitable<int> answer(const bhttp::request<bhttp::string_body>& req) {
    auto refuse = [&](Refusal r) {
      const int status = http_status(r);
      counter(outcome_label(r));
      log_refusal(outcome_label(r), status);
      return status;
    };
    if (target_path(req.target()) != options.path) co_return refuse(Refusal::wrong_path);
    if (req.method() != bhttp::verb::post) co_return refuse(Refusal::wrong_method);
    const auto sig = req.find("X-HubSpot-Signature-v3");
    const auto ts = req.find("X-HubSpot-Request-Timestamp");
    if (sig == req.end() || ts == req.end()) co_return refuse(Refusal::unsigned_request);
    if (!timestamp_fresh(ts->value(), wall_ms(), options.window)) co_return refuse(Refusal::stale);
    if (!signature_v3_valid(options.client_secret, "POST", options.public_url, req.body(), ts->value(),
                            sig->value()))
      co_return refuse(Refusal::bad_signature);
    auto batch = parse_batch(req.body(), options.portal_id, options.app_id);
    if (batch.refusal) co_return refuse(*batch.refusal);
    SinkResult stored = SinkResult::unavailable;
    try {
      stored = co_await sink(std::move(batch.events));
    } catch (const std::exception& e) {
      spdlog::debug("webhooks: storing a batch failed: {}", e.what());
    }
    if (stored != SinkResult::stored) {
      counter("unavailable");  // the sink logs why it could not store
      co_return 503;
    }
    counter("accepted");
    co_return 200;
  }

  // Keeps the connection in `sessions` (the connection limit, and what stop() closes) for its whole life,
  // handshake included.
  struct Registration {
    Impl& impl;
    beast::tcp_stream* s;
    Registration(Impl& i, beast::tcp_stream& stream) : impl(i), s(&stream) { impl.sessions.insert(s); }
    ~Registration() { impl.sessions.erase(s); }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
  };

  static void close(beast::tcp_stream& transport) {
    boost::system::error_code ignored;
    transport.socket().shutdown(tcp::socket::shutdown_send, ignored);
    transport.socket().close(ignored);
  }

  net::awaitable<void> plain_session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    Registration registration(*this, stream);
    co_await serve(stream, stream);
    close(stream);
  }

  net::awaitable<void> tls_session(tcp::socket socket) {
    TlsStream stream(std::move(socket), *tls);
    auto& transport = stream.next_layer();
    Registration registration(*this, transport);
    // The handshake counts against the first request's deadline: a client that connects and stays silent
    // (or speaks plain HTTP) frees its connection slot then at the latest.
    transport.expires_after(options.request_deadline);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, net::as_tuple(net::use_awaitable));
    if (hec) {
      if (!stopped) log_handshake_failure(hec);
      close(transport);
      co_return;
    }
    const bool peer_closed = co_await serve(stream, transport);
    // close_notify, bounded by the deadline; a peer that already went away gets none.
    if (!peer_closed && !stopped) {
      transport.expires_after(options.request_deadline);
      co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
    }
    close(transport);
  }

  // Requests on one connection until it closes, fails, times out or is not kept alive. Returns whether it
  // ended because the peer closed or the transport failed (nothing more to say to the peer then).
  template <class Stream>
  net::awaitable<bool> serve(Stream& stream, beast::tcp_stream& transport) {
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopped) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.max_body_bytes);
      // The first request has the whole deadline for head and body; later ones may idle first.
      transport.expires_after(first ? options.request_deadline : options.idle_timeout);
      first = false;
      auto [hec, hn] =
          co_await bhttp::async_read_header(stream, buffer, parser, net::as_tuple(net::use_awaitable));
      (void)hn;
      int status = 0;
      bool keep = false;
      if (hec == bhttp::error::body_limit) {
        // A Content-Length over the cap is refused from the head alone, before any of the body is read.
        status = refuse_too_large();
      } else if (hec) {
        co_return true;  // closed, timed out or malformed HTTP: drop the connection
      } else {
        transport.expires_after(options.request_deadline);
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        (void)n;
        if (ec == bhttp::error::body_limit) {
          status = refuse_too_large();  // a chunked body that grew over the cap
        } else if (ec) {
          co_return true;
        } else {
          status = co_await answer(parser.get());
          keep = parser.get().keep_alive();
        }
      }
      bhttp::response<bhttp::empty_body> res;
      res.version(11);
      res.result(static_cast<unsigned>(status));
      res.set(bhttp::field::server, "leadsync");
      if (status == 405) res.set(bhttp::field::allow, "POST");
      res.keep_alive(keep && !stopped);
      res.content_length(0);
      transport.expires_after(options.request_deadline);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
      (void)wn;
      if (wec) co_return true;
      if (!res.keep_alive()) break;
    }
    co_return false;
  }
};

Receiver::Receiver(net::any_io_executor executor, ReceiverOptions options, Sink sink, OutcomeCounter counter)
    : impl_(std::make_shared<Impl>(executor, std::move(options), std::move(sink), std::move(counter))) {}

Receiver::~Receiver() {
  stop();
}

std::uint16_t Receiver::start(const std::string& host, std::uint16_t port) {
  const std::string where =
      (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port);
  // Before binding: a bad certificate must not leave a half-started listener behind.
  if (impl_->options.tls) impl_->tls.emplace(server_tls_context(*impl_->options.tls));
  try {
    const auto address = net::ip::make_address(host);
    tcp::endpoint endpoint(address, port);
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(net::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(net::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    throw core::fatal_error("webhooks.listen " + where + ": cannot listen: " + e.code().message(),
                            core::ErrorDetails{.category = "CONFIG"});
  }
  auto self = impl_;
  net::co_spawn(impl_->executor, impl_->accept_loop(), [self](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("webhooks receiver stopped: {}", ex.what());
    }
  });
  return impl_->acceptor.local_endpoint().port();
}

void Receiver::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto* s : impl_->sessions) s->socket().close(ignored);
}

}  // namespace leadsync::webhooks
