// The only Beast translation unit of leadsync_webhooks (see receiver.hpp).
#include "leadsync/webhooks/receiver.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <set>

#include "leadsync/core/error.hpp"

namespace leadsync::webhooks {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
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

}  // namespace

struct Receiver::Impl : std::enable_shared_from_this<Impl> {
  net::any_io_executor executor;
  ReceiverOptions options;
  Sink sink;
  OutcomeCounter counter;
  tcp::acceptor acceptor;
  std::set<beast::tcp_stream*> sessions;
  bool stopped = false;
  // Refusals are logged at most once per 10 s, with how many were not logged: a flood of forged requests
  // must not flood the log. Never the body, the headers or the secret.
  Clock::time_point last_log{};
  std::uint64_t unlogged = 0;

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
      net::co_spawn(executor, session(std::move(socket)), [self](std::exception_ptr e) {
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

  net::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    sessions.insert(&stream);
    struct Unregister {
      Impl& impl;
      beast::tcp_stream* s;
      ~Unregister() { impl.sessions.erase(s); }
    } unregister{*this, &stream};
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopped) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(options.max_body_bytes);
      // The first request has the whole deadline for head and body; later ones may idle first.
      stream.expires_after(first ? options.request_deadline : options.idle_timeout);
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
        break;  // closed, timed out or malformed HTTP: drop the connection
      } else {
        stream.expires_after(options.request_deadline);
        auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
        (void)n;
        if (ec == bhttp::error::body_limit) {
          status = refuse_too_large();  // a chunked body that grew over the cap
        } else if (ec) {
          break;
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
      stream.expires_after(options.request_deadline);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
      (void)wn;
      if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
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
