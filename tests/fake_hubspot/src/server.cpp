#include "server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <iostream>
#include <thread>
#include <vector>

#include "util.hpp"

namespace leadsync::fake_hubspot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::minutes(5);
constexpr auto kWriteTimeout = std::chrono::seconds(60);
constexpr auto tuple_awaitable = net::as_tuple(net::use_awaitable);

HttpRequest to_request(const http::request<http::string_body>& msg) {
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  const auto q = req.target.find('?');
  req.path = url_decode(std::string_view(req.target).substr(0, q), false);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  if (auto it = msg.find(http::field::authorization); it != msg.end())
    req.authorization = std::string(it->value());
  if (auto it = msg.find(http::field::host); it != msg.end()) req.host = std::string(it->value());
  if (auto it = msg.find(http::field::content_type); it != msg.end())
    req.content_type = std::string(it->value());
  req.body = msg.body();
  return req;
}

std::string response_head(const HttpResponse& r, std::size_t content_length, bool keep_alive) {
  std::string head =
      "HTTP/1.1 " + std::to_string(r.status) + " " + std::string(reason_phrase(r.status)) + "\r\n";
  if (r.status != 204 && r.status != 304) {
    if (!r.content_type.empty()) head += "Content-Type: " + r.content_type + "\r\n";
    head += "Content-Length: " + std::to_string(content_length) + "\r\n";
  }
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  if (!keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
  return head;
}

net::awaitable<void> session(tcp::socket socket, const Handler& handler) {
  beast::tcp_stream stream(std::move(socket));
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.header_limit(1024 * 1024);
    stream.expires_after(kIdleTimeout);
    auto [hec, hn] = co_await http::async_read_header(stream, buffer, parser, tuple_awaitable);
    (void)hn;
    if (hec) break;  // end of stream, timeout or garbage: the connection is done
    // curl sends "Expect: 100-continue" for larger bodies and waits a second unless told to go on.
    if (auto it = parser.get().find(http::field::expect);
        it != parser.get().end() && beast::iequals(it->value(), "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      auto [cec, cn] =
          co_await net::async_write(stream, net::buffer(kContinue.data(), kContinue.size()), tuple_awaitable);
      (void)cn;
      if (cec) break;
    }
    if (!parser.is_done()) {
      auto [ec, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
      (void)n;
      if (ec) break;
    }
    const auto& msg = parser.get();
    const bool keep_alive = msg.keep_alive();
    HttpResponse res = handler(to_request(msg));
    if (res.then) {
      net::steady_timer timer(co_await net::this_coro::executor);
      timer.expires_after(res.delay);
      auto [tec] = co_await timer.async_wait(tuple_awaitable);
      (void)tec;
      res = res.then();
    }
    bool close = !keep_alive || res.delivery != Delivery::normal;
    stream.expires_after(kWriteTimeout);
    switch (res.delivery) {
      case Delivery::drop_before_response:
        break;
      case Delivery::drop_after_headers: {
        const std::string head = response_head(res, res.body.size(), false);
        co_await net::async_write(stream, net::buffer(head), tuple_awaitable);
        break;
      }
      case Delivery::drop_mid_body: {
        const std::string head = response_head(res, res.body.size(), false);
        const std::array<net::const_buffer, 2> bufs{net::buffer(head),
                                                    net::buffer(res.body.data(), res.body.size() / 2)};
        co_await net::async_write(stream, bufs, tuple_awaitable);
        break;
      }
      case Delivery::truncated_body: {
        // Announces more bytes than follow, then closes: the client sees a short body.
        const std::string head = response_head(res, res.body.size() + 1024, false);
        const std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(res.body)};
        co_await net::async_write(stream, bufs, tuple_awaitable);
        break;
      }
      case Delivery::normal: {
        const std::string head = response_head(res, res.body.size(), keep_alive);
        const std::array<net::const_buffer, 2> bufs{net::buffer(head), net::buffer(res.body)};
        auto [wec, written] = co_await net::async_write(stream, bufs, tuple_awaitable);
        (void)written;
        if (wec) close = true;
        break;
      }
    }
    if (close) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

net::awaitable<void> listen(tcp::acceptor& acceptor, const Handler& handler) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
    if (ec) {
      if (ec == net::error::operation_aborted) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    auto executor = socket.get_executor();
    net::co_spawn(executor, session(std::move(socket), handler), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        std::cerr << "fake-hubspot: connection error: " << ex.what() << std::endl;
      }
    });
  }
}

}  // namespace

void run_server(const Handler& handler, const ServerOptions& options) {
  net::io_context io(options.threads);
  tcp::endpoint endpoint(net::ip::make_address(options.bind), options.port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  std::cout << "listening on " << options.bind << ":" << acceptor.local_endpoint().port() << std::endl;

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    io.stop();
  });
  net::co_spawn(io, listen(acceptor, handler), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      std::cerr << "fake-hubspot: acceptor stopped: " << ex.what() << std::endl;
    }
  });
  std::vector<std::thread> extra;
  for (int i = 1; i < options.threads; ++i) extra.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : extra) t.join();
}

}  // namespace leadsync::fake_hubspot
