#include "webhooks.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <algorithm>

#include "util.hpp"

namespace leadsync::fake_hubspot {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

std::string base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

struct Target {
  bool tls = false;
  std::string host, port, target;
};

std::optional<Target> parse_target(const std::string& url) {
  Target t;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    t.tls = true;
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return std::nullopt;
  }
  const auto slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  t.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = authority.rfind(':');
  if (colon == std::string::npos) {
    t.host = authority;
    t.port = t.tls ? "443" : "80";
  } else {
    t.host = authority.substr(0, colon);
    t.port = authority.substr(colon + 1);
  }
  if (t.host.empty() || t.port.empty()) return std::nullopt;
  return t;
}

http::request<http::string_body> webhook_post(const Target& t, const std::string& body,
                                              const SignedHeaders& sig) {
  http::request<http::string_body> req{http::verb::post, t.target, 11};
  req.set(http::field::host, t.host + ":" + t.port);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::user_agent, "HubSpot Connect 2.0 (http://dev.hubspot.com/) (fake-hubspot)");
  req.set("X-HubSpot-Signature-v3", sig.signature_v3);
  req.set("X-HubSpot-Request-Timestamp", sig.timestamp);
  req.set("X-HubSpot-Signature", sig.signature_v2);
  req.set("X-HubSpot-Signature-Version", "v2");
  req.body() = body;
  req.prepare_payload();
  return req;
}

// Write the request, read the answer; `status` is set only by a complete answer.
template <class Stream>
void exchange(Stream& stream, http::request<http::string_body>& req, http::response<http::string_body>& res,
              beast::flat_buffer& buffer, int& status) {
  http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
    if (ec) return;
    http::async_read(stream, buffer, res, [&](beast::error_code ec2, std::size_t) {
      if (!ec2) status = static_cast<int>(res.result_int());
    });
  });
}

// A TLS client as HubSpot is one: TLS 1.2+, the target's certificate verified for its host name against
// ca_file (or the system store). A target that fails verification gets no request: status 0, retried.
std::optional<ssl::context> client_tls(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(ssl::verify_peer);
  beast::error_code ec;
  if (ca_file.empty())
    ctx.set_default_verify_paths(ec);
  else
    ctx.load_verify_file(ca_file, ec);
  if (ec) return std::nullopt;
  return ctx;
}

// One POST; the HTTP status, or 0 when there was no complete answer within the timeout.
int post(const Target& t, const std::string& ca_file, const std::string& body, const SignedHeaders& sig,
         std::chrono::milliseconds timeout) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto req = webhook_post(t, body, sig);
  http::response<http::string_body> res;
  beast::flat_buffer buffer;
  int status = 0;
  if (!t.tls) {
    beast::tcp_stream stream(ioc);
    stream.expires_after(timeout);
    resolver.async_resolve(t.host, t.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) return;
      stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
        if (!ec2) exchange(stream, req, res, buffer, status);
      });
    });
    ioc.run();
    return status;
  }
  auto ctx = client_tls(ca_file);
  if (!ctx) return 0;
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str());
  SSL_set1_host(stream.native_handle(), t.host.c_str());
  beast::get_lowest_layer(stream).expires_after(timeout);
  resolver.async_resolve(t.host, t.port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) return;
    beast::get_lowest_layer(stream).async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) return;
      stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec3) {
        if (!ec3) exchange(stream, req, res, buffer, status);
      });
    });
  });
  ioc.run();
  return status;
}

// The delivery faults' random choices. Each is a hash of the seed, what is being decided and the ids
// it is decided for (splitmix64's finaliser), not a draw from a generator whose state would depend on
// how many choices thread timing happened to make before: the same events get the same fate.
enum class Choice : std::uint64_t { drop = 1, duplicate, delay, shuffle, order };

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t choice(std::uint64_t seed, Choice what, std::int64_t id, int attempt = 0) {
  const auto h = mix(mix(seed) ^ static_cast<std::uint64_t>(what));
  return mix(mix(h ^ static_cast<std::uint64_t>(id)) ^ static_cast<std::uint64_t>(attempt));
}

// Uniform in [0, 1): true with probability p.
bool happens(std::uint64_t h, double p) {
  return static_cast<double>(h >> 11) * 0x1.0p-53 < p;
}

// Fisher-Yates written out: std::shuffle's use of the generator is left to the library.
void shuffle(nlohmann::ordered_json& events, std::uint64_t h) {
  for (std::size_t i = events.size(); i > 1; --i) std::swap(events[i - 1], events[mix(h + i) % i]);
}

// Refusals HubSpot does not retry (its 2018 retry rules; unconfirmed for 2026, see README decisions).
bool retried(int status) {
  return !(status == 400 || status == 401 || status == 403 || status == 404 || status == 405);
}

}  // namespace

SignedHeaders sign_webhook(const std::string& secret, const std::string& method, const std::string& url,
                           const std::string& body, std::int64_t timestamp_ms) {
  SignedHeaders h;
  h.timestamp = std::to_string(timestamp_ms);
  const std::string v3_source = method + url + body + h.timestamp;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(v3_source.data()), v3_source.size(), mac, &mac_len);
  h.signature_v3 = base64(mac, mac_len);
  const std::string v2_source = secret + method + url + body;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(v2_source.data()), v2_source.size(), digest);
  static const char* kHex = "0123456789abcdef";
  for (unsigned char c : digest) {
    h.signature_v2 += kHex[c >> 4];
    h.signature_v2 += kHex[c & 15];
  }
  return h;
}

WebhookSender::WebhookSender() : thread_([this] { run(); }) {}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void WebhookSender::configure(std::optional<WebhookSettings> settings) {
  {
    std::lock_guard lock(mutex_);
    settings_ = std::move(settings);
    ++generation_;
    queue_.clear();
    scheduled_.clear();
    stats_ = {};
  }
  cv_.notify_all();
}

std::optional<WebhookSettings> WebhookSender::settings() const {
  std::lock_guard lock(mutex_);
  return settings_;
}

void WebhookSender::set_enabled(bool on) {
  {
    std::lock_guard lock(mutex_);
    if (settings_) settings_->enabled = on;
  }
  cv_.notify_all();
}

void WebhookSender::enqueue(std::vector<nlohmann::ordered_json> events) {
  if (events.empty()) return;
  {
    std::lock_guard lock(mutex_);
    if (!settings_) return;
    const auto now = Clock::now();
    const auto& s = *settings_;
    for (auto& e : events) {
      // Lost before any attempt: HubSpot does not promise delivery at all.
      if (s.drop_rate > 0 &&
          happens(choice(s.fault_seed, Choice::drop, e.value("eventId", std::int64_t{0})), s.drop_rate)) {
        ++stats_.dropped;
        continue;
      }
      queue_.emplace_back(std::move(e), now);
      ++stats_.pending;
    }
  }
  cv_.notify_all();
}

WebhookStats WebhookSender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::optional<WebhookSender::Batch> WebhookSender::next_batch(Clock::time_point& wake) {
  const auto now = Clock::now();
  wake = Clock::time_point::max();
  if (!settings_ || !settings_->enabled) return std::nullopt;
  form_batches(now, wake);
  const auto& s = *settings_;
  auto rank = [&](const Batch& b) { return choice(s.fault_seed, Choice::order, b.key, b.attempt); };
  auto pick = scheduled_.end();
  for (auto it = scheduled_.begin(); it != scheduled_.end(); ++it) {
    if (it->due > now) {
      wake = std::min(wake, it->due);
      continue;
    }
    // In order the earliest due goes first; reordered, a seeded rank picks among all that are due.
    if (pick == scheduled_.end() || (s.reorder ? rank(*it) < rank(*pick) : it->due < pick->due)) pick = it;
  }
  if (pick == scheduled_.end()) return std::nullopt;
  Batch b = std::move(*pick);
  scheduled_.erase(pick);
  return b;
}

void WebhookSender::form_batches(Clock::time_point now, Clock::time_point& wake) {
  const auto& s = *settings_;
  // Without reorder or delay one batch is cut at a time, and only when nothing formed is due, so events
  // arriving meanwhile still join the next one. Delayed or reordered batches are all cut at once: each
  // waits its own delay from now, and several can be due together to be sent in a shuffled order.
  const bool all_at_once = s.reorder || s.delay_ms > 0 || s.delay_jitter_ms > 0;
  while (!queue_.empty()) {
    const auto ready = queue_.front().second + std::chrono::milliseconds(s.batch_window_ms);
    if (ready > now && queue_.size() < s.max_batch) {
      wake = std::min(wake, ready);
      return;
    }
    if (!all_at_once &&
        std::any_of(scheduled_.begin(), scheduled_.end(), [&](const Batch& b) { return b.due <= now; }))
      return;
    scheduled_.push_back(take_batch(now));
    if (!all_at_once) return;
  }
}

WebhookSender::Batch WebhookSender::take_batch(Clock::time_point now) {
  const auto& s = *settings_;
  Batch b;
  b.events = nlohmann::ordered_json::array();
  b.key = INT64_MAX;
  while (!queue_.empty() && b.events.size() < std::max<std::size_t>(1, s.max_batch)) {
    b.key = std::min(b.key, queue_.front().first.value("eventId", std::int64_t{0}));
    b.events.push_back(std::move(queue_.front().first));
    queue_.pop_front();
  }
  if (s.reorder) shuffle(b.events, choice(s.fault_seed, Choice::shuffle, b.key));
  auto delay = static_cast<std::int64_t>(s.delay_ms);
  if (s.delay_jitter_ms > 0)
    delay += static_cast<std::int64_t>(choice(s.fault_seed, Choice::delay, b.key) %
                                       (static_cast<std::uint64_t>(s.delay_jitter_ms) + 1));
  b.due = now + std::chrono::milliseconds(delay);
  return b;
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  while (!stop_) {
    Clock::time_point wake;
    auto batch = next_batch(wake);
    if (!batch) {
      if (wake == Clock::time_point::max())
        cv_.wait(lock);
      else
        cv_.wait_until(lock, wake);
      continue;
    }
    const WebhookSettings s = *settings_;
    const auto generation = generation_;
    for (auto& e : batch->events) e["attemptNumber"] = batch->attempt;
    lock.unlock();
    const std::string body = batch->events.dump();
    int status = 0;
    const auto target = parse_target(s.target_url);
    const bool twice =
        s.duplicate ||
        (s.duplicate_rate > 0 &&
         happens(choice(s.fault_seed, Choice::duplicate, batch->key, batch->attempt), s.duplicate_rate));
    const int sends = twice ? 2 : 1;
    for (int i = 0; i < sends && target; ++i) {
      const auto sig = sign_webhook(s.wrong_signature ? s.client_secret + "-wrong" : s.client_secret, "POST",
                                    s.signed_url.empty() ? s.target_url : s.signed_url, body,
                                    now_ms() + s.timestamp_offset_ms);
      status = post(*target, s.ca_file, body, sig, std::chrono::milliseconds(s.timeout_ms));
    }
    lock.lock();
    if (generation != generation_) continue;
    stats_.requests += sends;
    if (batch->attempt > 0) stats_.retries += sends;
    settle(std::move(*batch), status);
  }
}

void WebhookSender::settle(Batch batch, int status) {
  stats_.last_status = status;
  const auto n = static_cast<std::int64_t>(batch.events.size());
  if (status >= 200 && status < 300) {
    stats_.delivered += n;
    stats_.pending -= n;
    return;
  }
  if ((status != 0 && !retried(status)) || batch.attempt >= settings_->max_retries) {
    stats_.failed += n;
    stats_.pending -= n;
    return;
  }
  const auto delay = std::chrono::milliseconds(static_cast<std::int64_t>(settings_->retry_base_ms)
                                               << std::min(batch.attempt, 20));
  ++batch.attempt;
  batch.due = Clock::now() + delay;
  scheduled_.push_back(std::move(batch));
}

}  // namespace leadsync::fake_hubspot
