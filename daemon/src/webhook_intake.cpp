#include "webhook_intake.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/thread_pool.hpp>
#include <chrono>

#include "leadsync/core/offload.hpp"
#include "leadsync/db/inbox_writer.hpp"
#include "leadsync/webhooks/receiver.hpp"
#include "metrics.hpp"

namespace leadsync::daemon {

struct WebhookIntake::Impl {
  const config::WebhooksConfig cfg;
  Metrics& metrics;
  net::thread_pool db_thread{1};
  db::InboxWriter writer;
  webhooks::Receiver receiver;

  Impl(net::any_io_executor executor, const config::WebhooksConfig& c, const config::Secret& secret,
       std::string dsn, std::string scope, Metrics& m)
      : cfg(c),
        metrics(m),
        writer(std::move(dsn), std::move(scope)),
        receiver(
            executor, options(c, secret),
            [this](std::vector<webhooks::InboxEvent> events) { return store(std::move(events)); },
            [this](const char* outcome) { metrics.webhook_request(outcome); }) {}

  static webhooks::ReceiverOptions options(const config::WebhooksConfig& c, const config::Secret& secret) {
    webhooks::ReceiverOptions o;
    o.path = c.path;
    o.public_url = c.public_url;
    o.client_secret = secret.reveal();
    o.portal_id = c.portal_id;
    o.app_id = c.app_id;
    if (c.cert_file && c.key_file) o.tls = webhooks::TlsFiles{*c.cert_file, *c.key_file};
    return o;
  }

  net::awaitable<webhooks::SinkResult> store(std::vector<webhooks::InboxEvent> events) {
    std::vector<db::InboxRow> rows;
    rows.reserve(events.size());
    for (auto& e : events)
      rows.push_back(
          {e.event_id, std::move(e.subscription_type), e.object_id, e.occurred_at_ms, std::move(e.payload)});
    try {
      co_await core::run_blocking(db_thread.get_executor(), [&] { writer.insert(rows); });
    } catch (const std::exception& e) {
      // The receiver answers 503 and logs (rate-limited); the error text has no DSN and no event body.
      log_unavailable(e.what());
      co_return webhooks::SinkResult::unavailable;
    }
    co_return webhooks::SinkResult::stored;
  }

  // At most one line per 10 s while PostgreSQL is down (HubSpot keeps retrying meanwhile).
  void log_unavailable(const char* what) {
    const auto now = std::chrono::steady_clock::now();
    if (last_log_ != std::chrono::steady_clock::time_point{} && now - last_log_ < std::chrono::seconds(10))
      return;
    last_log_ = now;
    spdlog::warn("webhooks: cannot store events, answering 503 so that HubSpot retries: {}", what);
  }
  std::chrono::steady_clock::time_point last_log_{};
};

WebhookIntake::WebhookIntake(net::any_io_executor executor, const config::WebhooksConfig& cfg,
                             const config::Secret& secret, std::string dsn, std::string scope,
                             Metrics& metrics)
    : impl_(std::make_unique<Impl>(executor, cfg, secret, std::move(dsn), std::move(scope), metrics)) {}

WebhookIntake::~WebhookIntake() {
  stop();
}

std::uint16_t WebhookIntake::start() {
  return impl_->receiver.start(impl_->cfg.listen_host, impl_->cfg.listen_port);
}

void WebhookIntake::stop() {
  impl_->receiver.stop();
}

}  // namespace leadsync::daemon
