// The only Beast translation unit of the daemon (see metrics_server.hpp).
#include "metrics_server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <set>

#include "leadsync/core/error.hpp"

namespace leadsync::daemon {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {
constexpr std::size_t kMaxConnections = 32;
constexpr auto kHeadTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::seconds(30);
// However many requests arrive on it and however slowly: a client that sends a request every few seconds
// must not hold one of the 32 connections forever (a scraper simply opens a new one).
constexpr auto kConnectionLifetime = std::chrono::seconds(30);
}  // namespace

struct MetricsServer::Impl : std::enable_shared_from_this<Impl> {
  net::any_io_executor executor;
  HttpHandler handler;
  tcp::acceptor acceptor;
  std::set<beast::tcp_stream*> sessions;
  bool stopped = false;

  Impl(net::any_io_executor ex, HttpHandler h) : executor(ex), handler(std::move(h)), acceptor(ex) {}

  net::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
      if (stopped || ec == net::error::operation_aborted) break;
      if (ec) {
        // Out of descriptors and the like: do not spin.
        spdlog::warn("metrics server: accept failed: {}", ec.message());
        net::steady_timer pause(executor, std::chrono::milliseconds(200));
        co_await pause.async_wait(net::as_tuple(net::use_awaitable));
        continue;
      }
      if (sessions.size() >= kMaxConnections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      net::co_spawn(executor, session(std::move(socket)), [self](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          spdlog::debug("metrics server: connection ended: {}", ex.what());
        }
      });
    }
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
    const auto end_of_life = std::chrono::steady_clock::now() + kConnectionLifetime;
    // Each read and write gets its own timeout, never beyond the connection's end of life.
    auto expire = [&](std::chrono::steady_clock::duration timeout) {
      stream.expires_at(std::min(std::chrono::steady_clock::now() + timeout, end_of_life));
    };
    while (!stopped && std::chrono::steady_clock::now() < end_of_life) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(8 * 1024);
      parser.body_limit(0);
      expire(first ? kHeadTimeout : kIdleTimeout);
      first = false;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
      (void)n;
      if (ec) break;  // closed, timed out, malformed or a body: just drop the connection
      const auto& req = parser.get();
      bhttp::response<bhttp::string_body> res;
      res.version(req.version());
      res.keep_alive(req.keep_alive());
      res.set(bhttp::field::server, "leadsync");
      res.set(bhttp::field::cache_control, "no-store");
      if (req.method() != bhttp::verb::get && req.method() != bhttp::verb::head) {
        res.result(bhttp::status::method_not_allowed);
        res.set(bhttp::field::allow, "GET, HEAD");
        res.set(bhttp::field::content_type, "text/plain; charset=utf-8");
        res.body() = "only GET and HEAD\n";
      } else {
        HttpReply reply;
        try {
          reply = handler(std::string(req.method_string()), std::string(req.target()));
        } catch (const std::exception& e) {
          // The reason goes to the log only: an exception's text may carry a database's DETAIL or a path.
          spdlog::warn("metrics server: {} {} failed: {}", std::string(req.method_string()),
                       std::string(req.target()), e.what());
          reply = HttpReply{500, "text/plain; charset=utf-8", "internal error (see leadsync's log)\n"};
        }
        res.result(static_cast<unsigned>(reply.status));
        res.set(bhttp::field::content_type, reply.content_type);
        if (req.method() == bhttp::verb::head) {
          res.content_length(reply.body.size());
        } else {
          res.body() = std::move(reply.body);
        }
      }
      if (req.method() != bhttp::verb::head) res.prepare_payload();
      expire(kHeadTimeout);
      const bool keep = res.keep_alive() && std::chrono::steady_clock::now() < end_of_life;
      res.keep_alive(keep);
      auto [wec, wn] = co_await bhttp::async_write(stream, res, net::as_tuple(net::use_awaitable));
      (void)wn;
      if (wec || !keep) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
  }
};

MetricsServer::MetricsServer(net::any_io_executor executor, HttpHandler handler)
    : impl_(std::make_shared<Impl>(executor, std::move(handler))) {}

MetricsServer::~MetricsServer() {
  stop();
}

std::uint16_t MetricsServer::start(const std::string& host, std::uint16_t port) {
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
    // The code's message only ("Address already in use"): what() would add Boost's source location.
    throw core::fatal_error("metrics.listen " + where + ": cannot listen: " + e.code().message(),
                            core::ErrorDetails{.category = "CONFIG"});
  }
  auto self = impl_;
  net::co_spawn(impl_->executor, impl_->accept_loop(), [self](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("metrics server stopped: {}", ex.what());
    }
  });
  return impl_->acceptor.local_endpoint().port();
}

void MetricsServer::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (auto* s : impl_->sessions) s->socket().close(ignored);
}

}  // namespace leadsync::daemon
