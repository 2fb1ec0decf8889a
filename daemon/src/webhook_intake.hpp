#pragma once
// WebhookIntake: the daemon's wiring of the webhooks receiver (leadsync_webhooks) to the inbox
// (db::InboxWriter): verified batches are stored on a database thread of their own, so a slow commit
// never blocks the event loop nor waits behind a sync cycle; every request's outcome is counted in
// Metrics (leadsync_webhook_requests_total{outcome}).
// Errors: start() throws core::Error (fatal, CONFIG) when it cannot listen or load the TLS files.
// Thread-safety: construct, start and stop on the io_context's thread.
#include <cstdint>
#include <memory>
#include <string>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/secrets.hpp"
#include "leadsync/core/net.hpp"

namespace leadsync::daemon {

class Metrics;

class WebhookIntake {
 public:
  WebhookIntake(net::any_io_executor executor, const config::WebhooksConfig& cfg,
                const config::Secret& secret, std::string dsn, std::string scope, Metrics& metrics);
  ~WebhookIntake();
  WebhookIntake(const WebhookIntake&) = delete;
  WebhookIntake& operator=(const WebhookIntake&) = delete;

  // Loads the TLS files when set, binds webhooks.listen; returns the bound port.
  std::uint16_t start();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadsync::daemon
