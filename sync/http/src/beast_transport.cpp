// BeastTransport and the socket-free helpers declared in exchange.hpp. This is the only Beast translation
// unit of leadsync_http besides beast_impl.cpp (the compiled Beast/Asio-SSL sources): ~50 s to compile.
#include "leadsync/http/beast_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <cerrno>
#include <filesystem>
#include <list>
#include <stdexcept>
#include <utility>
#include <vector>

#include "exchange.hpp"
#include "leadsync/core/error.hpp"
#include "leadsync/http/url.hpp"

namespace leadsync::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;  // the clock of beast::tcp_stream and net::steady_timer

// ---- socket-free helpers (exchange.hpp) -------------------------------------------------------------------
namespace detail {

namespace {

bool is_tchar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_idempotent(bhttp::verb method) {
  switch (method) {
    case bhttp::verb::get:
    case bhttp::verb::head:
    case bhttp::verb::put:
    case bhttp::verb::delete_:
    case bhttp::verb::options:
    case bhttp::verb::trace:
      return true;
    default:
      return false;
  }
}

const beast::error_category& http_category() {
  return bhttp::make_error_code(bhttp::error::bad_version).category();
}

}  // namespace

const char* describe(Phase phase) noexcept {
  switch (phase) {
    case Phase::wait:
      return "while waiting for a free connection to";
    case Phase::resolve:
      return "while resolving";
    case Phase::connect:
      return "while connecting to";
    case Phase::tls_handshake:
      return "during the TLS handshake with";
    case Phase::write:
      return "while sending the request to";
    case Phase::read:
      return "while reading the response from";
    case Phase::shutdown:
      return "while closing the connection to";
  }
  return "while talking to";
}

RequestMessage make_request_message(const Request& request, const RequestDefaults& defaults) {
  if (!is_token(request.method))
    throw std::invalid_argument("HTTP method must be a token such as GET or POST");
  const bool origin_form =
      !request.target.empty() && request.target.front() == '/' &&
      std::all_of(request.target.begin(), request.target.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (!origin_form)
    throw std::invalid_argument(
        "request target must be origin-form ('/path?query') without spaces or control "
        "characters");

  RequestMessage message;
  message.version(11);
  if (const auto verb = bhttp::string_to_verb(request.method); verb != bhttp::verb::unknown)
    message.method(verb);
  else
    message.method_string(request.method);
  message.target(request.target);

  bool has_user_agent = false;
  bool has_accept = false;
  bool has_content_type = false;
  for (const auto& header : request.headers) {
    if (!is_token(header.name))
      throw std::invalid_argument("a request header name is not a valid HTTP token");
    // Only the header name is named: values may be credentials.
    if (header.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      throw std::invalid_argument("request header '" + header.name + "' contains CR, LF or NUL");
    if (iequals(header.name, "host") || iequals(header.name, "content-length") ||
        iequals(header.name, "transfer-encoding") || iequals(header.name, "connection"))
      continue;
    has_user_agent = has_user_agent || iequals(header.name, "user-agent");
    has_accept = has_accept || iequals(header.name, "accept");
    has_content_type = has_content_type || iequals(header.name, "content-type");
    message.insert(header.name, header.value);
  }
  message.set(bhttp::field::host, defaults.host_header);
  if (!has_user_agent && !defaults.user_agent.empty())
    message.set(bhttp::field::user_agent, defaults.user_agent);
  if (!has_accept) message.set(bhttp::field::accept, "application/json");
  if (!request.body.empty() && !has_content_type) message.set(bhttp::field::content_type, "application/json");
  message.body() = request.body;
  const auto method = message.method();
  if (!request.body.empty() || method == bhttp::verb::post || method == bhttp::verb::put ||
      method == bhttp::verb::patch)
    message.content_length(request.body.size());
  message.keep_alive(true);
  return message;
}

bool is_stale_connection_error(const beast::error_code& ec) noexcept {
  return ec == net::error::eof || ec == bhttp::error::end_of_stream || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::connection_aborted ||
         ec == net::error::not_connected || ec == net::error::shut_down || ec == ssl::error::stream_truncated;
}

bool should_retry_on_fresh_connection(bhttp::verb method, const ExchangeResult& result) noexcept {
  if (!result.ec || result.response_started || !is_stale_connection_error(result.ec)) return false;
  if (result.phase == Phase::write) return true;
  return result.phase == Phase::read && is_idempotent(method);
}

TransportError classify_failure(const beast::error_code& ec, Phase phase, std::string_view where,
                                std::string_view timeout_note) {
  const std::string at = std::string(describe(phase)) + " " + std::string(where);
  if (ec == beast::error::timeout)
    return TransportError(TransportErrorKind::timeout,
                          "timed out " + at + " (" + std::string(timeout_note) + ")");
  if (ec == net::error::operation_aborted)
    return TransportError(TransportErrorKind::closed, "request cancelled " + at);
  switch (phase) {
    case Phase::wait:
      return TransportError(TransportErrorKind::closed,
                            "no connection available " + at + ": " + ec.message());
    case Phase::resolve:
      return TransportError(TransportErrorKind::resolve, "DNS lookup failed " + at + ": " + ec.message());
    case Phase::connect:
      return TransportError(TransportErrorKind::connect, "TCP connect failed " + at + ": " + ec.message());
    case Phase::tls_handshake:
      return TransportError(TransportErrorKind::tls_handshake,
                            "TLS handshake failed " + at + ": " + ec.message());
    case Phase::write:
    case Phase::read:
    case Phase::shutdown:
      break;
  }
  if (ec == bhttp::error::body_limit)
    return TransportError(TransportErrorKind::too_large,
                          "response body exceeds max_response_bytes " + at + " (" + ec.message() + ")",
                          OversizedPart::body);
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
    return TransportError(TransportErrorKind::too_large,
                          "response headers exceed " + std::to_string(kMaxHeaderBytes) + " bytes " + at,
                          OversizedPart::headers);
  if (is_stale_connection_error(ec) || ec == bhttp::error::partial_message)
    return TransportError(TransportErrorKind::closed,
                          "connection closed by the server " + at + ": " + ec.message());
  if (ec.category() == http_category())
    return TransportError(TransportErrorKind::protocol, "invalid HTTP response " + at + ": " + ec.message());
  if (ec.category() == net::error::get_ssl_category())
    return TransportError(TransportErrorKind::protocol, "TLS error " + at + ": " + ec.message());
  return TransportError(TransportErrorKind::closed, "connection failed " + at + ": " + ec.message());
}

}  // namespace detail

// ---- BeastTransport ---------------------------------------------------------------------------------------
namespace {

using detail::Phase;

struct Connection {
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;

  beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }

  // A pooled connection is unusable once the server closed it (EOF) or sent anything unasked (on TLS
  // usually a close_notify alert). Checked without blocking before reuse, so the common "server closed the
  // idle connection" case never costs a failed request.
  bool looks_reusable() {
    auto& socket = tcp().socket();
    if (!socket.is_open()) return false;
    char byte = 0;
    const auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// Arms the per-step expiry of a tcp_stream, capped by the whole-request deadline, and remembers which limit
// applied so a timeout names it.
class StepTimer {
 public:
  StepTimer(Clock::time_point deadline, std::chrono::milliseconds budget, const char* budget_name)
      : deadline_(deadline), budget_(budget), budget_name_(budget_name) {}

  void arm(beast::tcp_stream& stream, std::chrono::milliseconds step, const char* step_name) {
    const auto now = Clock::now();
    if (now + step < deadline_) {
      stream.expires_at(now + step);
      name_ = step_name;
      value_ = step;
    } else {
      stream.expires_at(deadline_);
      name_ = budget_name_;
      value_ = budget_;
    }
  }
  std::string note() const { return std::string(name_) + " " + std::to_string(value_.count()) + "ms"; }
  std::string budget_note() const {
    return std::string(budget_name_) + " " + std::to_string(budget_.count()) + "ms";
  }
  Clock::time_point deadline() const { return deadline_; }
  bool expired() const { return Clock::now() >= deadline_; }

 private:
  Clock::time_point deadline_;
  std::chrono::milliseconds budget_;
  const char* budget_name_;
  const char* name_ = "request timeout";
  std::chrono::milliseconds value_{0};
};

std::string verify_failure_message(long verify_result, const BaseUrl& url) {
  const std::string reason =
      verify_result == X509_V_OK ? "certificate verify failed" : X509_verify_cert_error_string(verify_result);
  std::string advice;
  switch (verify_result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      advice = "the certificate does not name '" + url.host + "'; check base_url";
      break;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      advice = "check the server's certificate and this machine's clock";
      break;
    default:
      advice =
          "the server's certificate is not trusted; if a private CA issued it, set ca_file to that CA's "
          "PEM bundle, otherwise check the system CA store (ca-certificates)";
      break;
  }
  return "TLS certificate verification failed for " + url.authority() + ": " + reason + " (" + advice + ")";
}

bool is_certificate_verify_error(const beast::error_code& ec) {
  return ec.category() == net::error::get_ssl_category() &&
         ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == SSL_R_CERTIFICATE_VERIFY_FAILED;
}

}  // namespace

class BeastTransport::Impl {
 public:
  Impl(net::any_io_executor executor, TransportOptions options)
      : executor_(std::move(executor)),
        options_(std::move(options)),
        url_(parse_base_url(options_.base_url)),
        where_(url_.authority()),
        port_(std::to_string(url_.port)),
        drained_(executor_, Clock::time_point::max()) {
    if (options_.max_connections == 0)
      throw core::fatal_error("http transport: max_connections must be at least 1");
    for (const auto& [name, value] : {std::pair{"connect_timeout", options_.connect_timeout},
                                      {"tls_handshake_timeout", options_.tls_handshake_timeout},
                                      {"io_timeout", options_.io_timeout},
                                      {"request_timeout", options_.request_timeout}})
      if (value.count() <= 0)
        throw core::fatal_error(std::string("http transport: ") + name + " must be positive");
    defaults_ = {url_.host_header(), options_.user_agent};
    limits_.max_body_bytes = options_.max_response_bytes;
    if (url_.tls) make_tls_context();
  }

  ~Impl() { close_idle_now(); }

  net::awaitable<Response> send(Request request) {
    if (shut_down_)
      throw TransportError(TransportErrorKind::closed, "HTTP transport to " + where_ + " is shut down");
    const auto budget = request.timeout.count() > 0 ? request.timeout : options_.request_timeout;
    StepTimer timer(Clock::now() + budget, budget,
                    request.timeout.count() > 0 ? "request timeout" : "request_timeout");
    auto message = detail::make_request_message(request, defaults_);

    SlotLease lease = co_await acquire_slot(timer);
    ++stats_.requests;
    std::unique_ptr<Connection> connection = take_idle();
    const bool reused = connection != nullptr;
    if (reused)
      ++stats_.connections_reused;
    else
      connection = co_await open_connection(timer);

    auto result = co_await exchange_on(*connection, message, timer);
    if (result.ec && reused && detail::should_retry_on_fresh_connection(message.method(), result)) {
      ++stats_.stale_retries;
      connection.reset();
      connection = co_await open_connection(timer);
      result = co_await exchange_on(*connection, message, timer);
    }
    if (result.ec) throw detail::classify_failure(result.ec, result.phase, where_, timer.note());

    if (result.keep_alive) {
      connection->tcp().expires_never();
      idle_.push_back(std::move(connection));
    }
    co_return std::move(result.response);
  }

  net::awaitable<void> shutdown() {
    shut_down_ = true;
    while (!waiters_.empty()) {
      SlotWaiter* waiter = waiters_.front();
      waiters_.pop_front();
      waiter->queued = false;
      waiter->timer.cancel();
    }
    while (in_use_ > 0) {
      drained_.expires_at(Clock::time_point::max());
      co_await drained_.async_wait(net::as_tuple(net::use_awaitable));
    }
    const auto limit = std::min(options_.io_timeout, std::chrono::milliseconds(5000));
    StepTimer timer(Clock::now() + limit, limit, "shutdown limit");
    auto idle = std::move(idle_);
    idle_.clear();
    for (auto& connection : idle) co_await close_gracefully(*connection, timer);
  }

  TransportStats stats() const { return stats_; }

  void close_idle_now() noexcept { idle_.clear(); }

 private:
  struct SlotWaiter {
    SlotWaiter(const net::any_io_executor& executor, Clock::time_point deadline)
        : timer(executor, deadline) {}
    net::steady_timer timer;
    bool queued = false;
    bool granted = false;
  };

  class SlotLease {
   public:
    explicit SlotLease(Impl* impl) : impl_(impl) {}
    SlotLease(SlotLease&& other) noexcept : impl_(std::exchange(other.impl_, nullptr)) {}
    SlotLease& operator=(SlotLease&&) = delete;
    ~SlotLease() {
      if (impl_) impl_->release_slot();
    }

   private:
    Impl* impl_;
  };

  // Leaves the wait queue, or hands back a slot granted to a request that is gone, however the wait ends
  // (including the coroutine frame being destroyed with its io_context).
  struct WaitGuard {
    Impl* impl;
    SlotWaiter* waiter;
    std::list<SlotWaiter*>::iterator position;
    bool claimed = false;
    ~WaitGuard() {
      if (waiter->queued)
        impl->waiters_.erase(position);
      else if (waiter->granted && !claimed)
        impl->release_slot();
    }
  };

  void make_tls_context() {
    tls_context_.emplace(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(tls_context_->native_handle(), TLS1_2_VERSION);
    tls_context_->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    tls_context_->set_verify_mode(ssl::verify_peer);
    // A machine without a system store can still work with ca_file; verification reports it otherwise.
    beast::error_code ignored;
    tls_context_->set_default_verify_paths(ignored);
    if (options_.ca_file) {
      const std::string& path = *options_.ca_file;
      std::error_code fs_error;
      if (!std::filesystem::is_regular_file(path, fs_error))
        throw core::fatal_error("http transport: ca_file '" + path +
                                "' does not exist or is not a regular file");
      beast::error_code ec;
      tls_context_->load_verify_file(path, ec);
      if (ec)
        throw core::fatal_error("http transport: cannot load ca_file '" + path +
                                "' as PEM certificates: " + ec.message());
    }
  }

  net::awaitable<SlotLease> acquire_slot(StepTimer& timer) {
    if (in_use_ < options_.max_connections && waiters_.empty()) {
      ++in_use_;
      co_return SlotLease(this);
    }
    SlotWaiter waiter(executor_, timer.deadline());
    waiters_.push_back(&waiter);
    waiter.queued = true;
    WaitGuard guard{this, &waiter, std::prev(waiters_.end())};
    co_await waiter.timer.async_wait(net::as_tuple(net::use_awaitable));
    if (waiter.granted) {
      guard.claimed = true;
      co_return SlotLease(this);
    }
    if (shut_down_)
      throw TransportError(TransportErrorKind::closed, "HTTP transport to " + where_ + " is shut down");
    if (timer.expired())
      throw TransportError(TransportErrorKind::timeout,
                           std::string("timed out ") + detail::describe(Phase::wait) + " " + where_ + " (" +
                               timer.budget_note() + ", max_connections " +
                               std::to_string(options_.max_connections) + ")");
    throw detail::classify_failure(net::error::operation_aborted, Phase::wait, where_, timer.note());
  }

  void release_slot() {
    if (!waiters_.empty()) {
      // Hand the slot straight to the longest waiter: first come, first served.
      SlotWaiter* waiter = waiters_.front();
      waiters_.pop_front();
      waiter->queued = false;
      waiter->granted = true;
      waiter->timer.cancel();
      return;
    }
    --in_use_;
    if (in_use_ == 0) drained_.cancel();
  }

  std::unique_ptr<Connection> take_idle() {
    // Most recently used first: the least likely to have been closed by the server.
    while (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      if (connection->looks_reusable()) return connection;
    }
    return nullptr;
  }

  net::awaitable<std::unique_ptr<Connection>> open_connection(StepTimer& timer) {
    const auto token = net::as_tuple(net::use_awaitable);
    tcp::resolver resolver(executor_);
    auto [resolve_error, results] = co_await resolver.async_resolve(url_.host, port_, token);
    if (resolve_error) throw detail::classify_failure(resolve_error, Phase::resolve, where_, timer.note());
    if (timer.expired())
      throw TransportError(TransportErrorKind::timeout, std::string("timed out ") +
                                                            detail::describe(Phase::resolve) + " " + where_ +
                                                            " (" + timer.budget_note() + ")");
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results)
      // Plain HTTP is allowed for loopback only: do not follow a "localhost" that resolves elsewhere.
      if (url_.tls || entry.endpoint().address().is_loopback()) endpoints.push_back(entry.endpoint());
    if (endpoints.empty())
      throw TransportError(
          TransportErrorKind::insecure_refused,
          "refusing plain http:// to " + where_ + ": it does not resolve to a loopback address");

    auto connection = std::make_unique<Connection>();
    if (url_.tls)
      connection->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(executor_, *tls_context_);
    else
      connection->plain = std::make_unique<beast::tcp_stream>(executor_);

    timer.arm(connection->tcp(), options_.connect_timeout, "connect_timeout");
    auto [connect_error, endpoint] = co_await connection->tcp().async_connect(endpoints, token);
    (void)endpoint;
    if (connect_error) throw detail::classify_failure(connect_error, Phase::connect, where_, timer.note());
    beast::error_code ignored;
    connection->tcp().socket().set_option(tcp::no_delay(true), ignored);

    if (url_.tls) co_await handshake(*connection, timer);
    ++stats_.connections_opened;
    co_return connection;
  }

  net::awaitable<void> handshake(Connection& connection, StepTimer& timer) {
    auto& stream = *connection.tls;
    SSL* native = stream.native_handle();
    // SNI carries host names only (RFC 6066); an IP literal is checked against the certificate's IP SANs.
    if (!url_.host_is_ip && SSL_set_tlsext_host_name(native, url_.host.c_str()) != 1)
      throw TransportError(TransportErrorKind::tls_handshake, "cannot set TLS SNI for " + where_);
    // Name the host to OpenSSL too, so a mismatch is reported as such (X509_V_ERR_HOSTNAME_MISMATCH) rather
    // than as a bare "certificate verify failed" from the callback below.
    X509_VERIFY_PARAM* param = SSL_get0_param(native);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int named = url_.host_is_ip
                          ? X509_VERIFY_PARAM_set1_ip_asc(param, url_.host.c_str())
                          : X509_VERIFY_PARAM_set1_host(param, url_.host.c_str(), url_.host.size());
    if (named != 1)
      throw TransportError(TransportErrorKind::tls_handshake, "cannot set TLS host check for " + where_);
    stream.set_verify_mode(ssl::verify_peer);
    stream.set_verify_callback(ssl::host_name_verification(url_.host));

    timer.arm(connection.tcp(), options_.tls_handshake_timeout, "tls_handshake_timeout");
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::client, net::as_tuple(net::use_awaitable));
    if (!ec) co_return;
    if (ec == beast::error::timeout)
      throw detail::classify_failure(ec, Phase::tls_handshake, where_, timer.note());
    const long verify_result = SSL_get_verify_result(native);
    if (verify_result != X509_V_OK || is_certificate_verify_error(ec))
      throw TransportError(TransportErrorKind::tls_verify, verify_failure_message(verify_result, url_));
    throw detail::classify_failure(ec, Phase::tls_handshake, where_, timer.note());
  }

  net::awaitable<detail::ExchangeResult> exchange_on(Connection& connection, detail::RequestMessage& message,
                                                     StepTimer& timer) {
    auto arm = [&connection, &timer, io = options_.io_timeout] {
      timer.arm(connection.tcp(), io, "io_timeout");
    };
    if (connection.tls) co_return co_await detail::exchange(*connection.tls, message, limits_, arm);
    co_return co_await detail::exchange(*connection.plain, message, limits_, arm);
  }

  net::awaitable<void> close_gracefully(Connection& connection, StepTimer& timer) {
    if (connection.tls && connection.looks_reusable()) {
      timer.arm(connection.tcp(), options_.io_timeout, "io_timeout");
      // The server may drop the TCP connection right after our close_notify (stream_truncated) or never
      // answer it (timeout): both are fine, the connection is going away either way.
      auto [ec] = co_await connection.tls->async_shutdown(net::as_tuple(net::use_awaitable));
      (void)ec;
    }
    beast::error_code ignored;
    connection.tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    connection.tcp().close();
  }

  net::any_io_executor executor_;
  TransportOptions options_;
  BaseUrl url_;
  std::string where_;  // "host:port" for messages
  std::string port_;
  detail::RequestDefaults defaults_;
  detail::ExchangeLimits limits_;
  std::optional<ssl::context> tls_context_;

  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t in_use_ = 0;  // slots held by requests (each owns at most one connection)
  std::list<SlotWaiter*> waiters_;
  net::steady_timer drained_;  // cancelled when in_use_ drops to 0, for shutdown()
  bool shut_down_ = false;
  TransportStats stats_;
};

BeastTransport::BeastTransport(net::any_io_executor executor, TransportOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

BeastTransport::~BeastTransport() {
  impl_->close_idle_now();
}

net::awaitable<Response> BeastTransport::send(Request request) {
  auto impl = impl_;  // keeps the pool alive for this request even if the transport is destroyed meanwhile
  co_return co_await impl->send(std::move(request));
}

net::awaitable<void> BeastTransport::shutdown() {
  auto impl = impl_;
  co_await impl->shutdown();
}

TransportStats BeastTransport::stats() const {
  return impl_->stats();
}

}  // namespace leadsync::http
