#pragma once
// A scriptable local HTTP/1.1 server (Beast, optionally TLS) for the transport's integration tests. It runs
// on its own thread and io_context, listens on 127.0.0.1 port 0, and lets each test decide per request how
// to answer (normally, late, never, half, oversized, then close or keep the connection). It counts accepted
// and concurrently open connections, requests, and how connections ended.
// Header-only and Beast-heavy: include it from exactly one translation unit.
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "test_pki.hpp"

namespace leadsync::testing {

namespace test_server_detail {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
}  // namespace test_server_detail

struct ServerRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  int connection = 0;             // 1-based index of the accepted connection
  int request_on_connection = 0;  // 1-based index of the request on that connection
};

struct Reply {
  enum class Then {
    keep_alive,             // answer and wait for the next request
    close_after,            // answer, then close the TCP connection without saying so (no close_notify)
    close_before_response,  // read the request, close without answering
    truncate_body,          // send the header and part of the body, then close
    stall,                  // read the request, never answer
    stall_mid_body,         // send the header and part of the body, then go silent
    trickle,                // send the header, then one body byte every 50 ms, forever
  };
  int status = 200;
  std::string body = "{}";
  std::vector<std::pair<std::string, std::string>> headers;
  Then then = Then::keep_alive;
  std::chrono::milliseconds delay{0};  // wait before answering
};

using Handler = std::function<Reply(const ServerRequest&)>;

class TestServer {
 public:
  struct Options {
    const TestPki* pki = nullptr;  // TLS with this certificate when set, plain HTTP otherwise
    bool stall_tls_handshake = false;
  };

  TestServer(Handler handler, Options options) : options_(options), handler_(std::move(handler)) {
    using namespace test_server_detail;
    if (options_.pki) {
      tls_.use_certificate_chain_file(options_.pki->cert_file().string());
      tls_.use_private_key_file(options_.pki->key_file().string(), ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    net::co_spawn(ioc_, accept_loop(), [this](std::exception_ptr e) { record(e); });
    thread_ = std::thread([this] { ioc_.run(); });
  }

  ~TestServer() {
    ioc_.stop();
    thread_.join();
  }

  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }
  int max_open() const { return max_open_; }
  int requests() const { return requests_; }
  int clean_closes() const { return clean_closes_; }          // the client closed (TLS: with close_notify)
  int truncated_closes() const { return truncated_closes_; }  // TLS: the client vanished without close_notify
  int failed_handshakes() const { return failed_handshakes_; }

  std::vector<ServerRequest> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  std::vector<std::string> errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
  }

  // Blocks until the server has closed (or seen closed) `count` connections; false after 10 s.
  bool wait_for_closed_connections(int count) {
    std::unique_lock lock(mutex_);
    return closed_cv_.wait_for(lock, std::chrono::seconds(10), [&] { return closed_ >= count; });
  }

 private:
  enum class Ending { abrupt, graceful };

  void record(std::exception_ptr e) {
    if (!e) return;
    std::lock_guard lock(mutex_);
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      errors_.push_back(ex.what());
    }
  }

  void connection_closed() {
    --open_;
    std::lock_guard lock(mutex_);
    ++closed_;
    closed_cv_.notify_all();
  }

  test_server_detail::net::awaitable<void> accept_loop() {
    using namespace test_server_detail;
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(net::as_tuple(net::use_awaitable));
      if (ec) co_return;
      const int index = ++accepted_;
      const int open = ++open_;
      int seen = max_open_;
      while (open > seen && !max_open_.compare_exchange_weak(seen, open)) {
      }
      net::co_spawn(ioc_, session(std::move(socket), index), [this](std::exception_ptr e) { record(e); });
    }
  }

  test_server_detail::net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
    using namespace test_server_detail;
    net::steady_timer timer(ioc_, d);
    co_await timer.async_wait(net::as_tuple(net::use_awaitable));
  }

  test_server_detail::net::awaitable<void> session(test_server_detail::tcp::socket socket, int index) {
    using namespace test_server_detail;
    if (options_.pki) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), tls_);
      if (options_.stall_tls_handshake) co_await sleep_for(std::chrono::minutes(1));
      auto [ec] =
          co_await stream.async_handshake(ssl::stream_base::server, net::as_tuple(net::use_awaitable));
      if (ec) {
        ++failed_handshakes_;
      } else if (co_await serve(stream, index) == Ending::graceful) {
        auto [shutdown_ec] = co_await stream.async_shutdown(net::as_tuple(net::use_awaitable));
        (void)shutdown_ec;
      }
      close(stream.next_layer());
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream, index);
      close(stream);
    }
    connection_closed();
  }

  void close(test_server_detail::beast::tcp_stream& stream) {
    using namespace test_server_detail;
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }

  template <class Stream>
  test_server_detail::net::awaitable<Ending> serve(Stream& stream, int index) {
    using namespace test_server_detail;
    const auto token = net::as_tuple(net::use_awaitable);
    beast::flat_buffer buffer;
    for (int n = 1;; ++n) {
      bhttp::request<bhttp::string_body> request;
      auto [read_ec, read_n] = co_await bhttp::async_read(stream, buffer, request, token);
      (void)read_n;
      if (read_ec == bhttp::error::end_of_stream || read_ec == net::error::eof) {
        ++clean_closes_;
        co_return Ending::graceful;
      }
      if (read_ec == ssl::error::stream_truncated) ++truncated_closes_;
      if (read_ec) co_return Ending::abrupt;
      ++requests_;

      ServerRequest seen{
          std::string(request.method_string()), std::string(request.target()), {}, request.body(), index, n};
      for (const auto& field : request) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        seen.headers[name] = std::string(field.value());
      }
      {
        std::lock_guard lock(mutex_);
        received_.push_back(seen);
      }
      const Reply reply = handler_(seen);
      if (reply.delay.count() > 0) co_await sleep_for(reply.delay);

      using Then = Reply::Then;
      if (reply.then == Then::close_before_response) co_return Ending::abrupt;
      if (reply.then == Then::stall) {
        co_await sleep_for(std::chrono::minutes(1));
        co_return Ending::abrupt;
      }
      if (reply.then == Then::truncate_body || reply.then == Then::stall_mid_body ||
          reply.then == Then::trickle) {
        const std::string head = "HTTP/1.1 " + std::to_string(reply.status) +
                                 " OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
        const std::string partial = reply.then == Then::trickle ? head : head + "{\"partial\":";
        auto [ec, written] = co_await net::async_write(stream, net::buffer(partial), token);
        (void)written;
        if (ec) co_return Ending::abrupt;
        if (reply.then == Then::stall_mid_body) co_await sleep_for(std::chrono::minutes(1));
        while (reply.then == Then::trickle) {
          co_await sleep_for(std::chrono::milliseconds(50));
          auto [trickle_ec, one] = co_await net::async_write(stream, net::buffer(" ", 1), token);
          (void)one;
          if (trickle_ec) break;
        }
        co_return Ending::abrupt;
      }

      bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(reply.status), 11};
      response.set(bhttp::field::content_type, "application/json");
      for (const auto& [name, value] : reply.headers) response.insert(name, value);
      response.body() = reply.body;
      response.prepare_payload();
      response.keep_alive(request.keep_alive() && response.keep_alive());
      auto [write_ec, written] = co_await bhttp::async_write(stream, response, token);
      (void)written;
      if (write_ec || reply.then == Then::close_after || !response.keep_alive()) co_return Ending::abrupt;
    }
  }

  Options options_;
  Handler handler_;
  test_server_detail::ssl::context tls_{test_server_detail::ssl::context::tls_server};
  std::atomic<int> accepted_{0}, open_{0}, max_open_{0}, requests_{0}, clean_closes_{0}, truncated_closes_{0},
      failed_handshakes_{0};
  mutable std::mutex mutex_;
  std::condition_variable closed_cv_;
  int closed_ = 0;
  std::vector<ServerRequest> received_;
  std::vector<std::string> errors_;
  std::uint16_t port_ = 0;
  // Declared after everything the session coroutines touch: destroying the io_context destroys their frames.
  test_server_detail::net::io_context ioc_;
  test_server_detail::tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
};

}  // namespace leadsync::testing
