#pragma once
// WebhookSender: delivers HubSpot-shaped webhook batches (a JSON array of object.* events) to one
// target URL, signed like HubSpot (signature v3 and the older v2 header), on its own thread, and
// retries a batch that got no 2xx answer with attemptNumber counting up. The App builds the events
// from the Store's recorded changes and hands them over with enqueue(); nothing here touches the
// portal state. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace leadsync::fake_hubspot {

struct WebhookSettings {
  std::string target_url;  // http:// or https://host:port/path
  std::string ca_file;     // PEM CA(s) trusted for an https:// target; empty: the system store
  std::string signed_url;  // the URL the signature covers; target_url unless a proxy is emulated
  std::string client_secret;
  std::int64_t app_id = 0;
  std::int64_t portal_id = 0;
  std::set<std::string> subscriptions;  // subscription types delivered
  bool enabled = true;                  // false: events are recorded and kept pending, not sent
  std::size_t max_batch = 100;
  int batch_window_ms = 0;     // wait this long after an event for more to batch with it
  int retry_base_ms = 60'000;  // retry n waits retry_base_ms * 2^n (tests compress it)
  int max_retries = 10;
  int timeout_ms = 5'000;  // no answer within this counts as a failure
  // Faults on demand.
  std::int64_t timestamp_offset_ms = 0;  // added to X-HubSpot-Request-Timestamp (stale / future)
  bool duplicate = false;                // every batch is delivered twice
  bool wrong_signature = false;          // signs with a different secret
  // Delivery faults HubSpot does not rule out (no ordering or exactly-once guarantee, late or lost
  // events). Every random choice is a hash of fault_seed and event ids, so a run repeats exactly for
  // the same events batched the same way.
  bool reorder = false;       // events shuffled within a batch, due batches sent in random order
  double drop_rate = 0;       // probability that an event is never delivered
  double duplicate_rate = 0;  // probability that a POST is sent a second time
  int delay_ms = 0;           // every batch waits delay_ms + uniform(0, delay_jitter_ms) ...
  int delay_jitter_ms = 0;    // ... before its first POST
  std::uint64_t fault_seed = 1;
};

// The headers HubSpot sends with a webhook POST (v3 signature over signed_url; the v2 one too).
struct SignedHeaders {
  std::string signature_v3;
  std::string signature_v2;
  std::string timestamp;
};
SignedHeaders sign_webhook(const std::string& secret, const std::string& method, const std::string& url,
                           const std::string& body, std::int64_t timestamp_ms);

struct WebhookStats {
  std::int64_t delivered = 0;  // events acknowledged with 2xx
  std::int64_t failed = 0;     // events given up on (a refusal HubSpot does not retry, or retries spent)
  std::int64_t pending = 0;    // events queued or waiting for a retry
  std::int64_t requests = 0;   // POSTs made
  std::int64_t retries = 0;    // POSTs with attemptNumber > 0
  std::int64_t dropped = 0;    // events discarded by the drop_rate fault (never pending, never delivered)
  int last_status = 0;         // of the last POST; 0 = no answer
};

class WebhookSender {
 public:
  WebhookSender();
  ~WebhookSender();
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  // Replaces the settings; drops whatever was pending and resets the statistics.
  void configure(std::optional<WebhookSettings> settings);
  std::optional<WebhookSettings> settings() const;
  // Pauses or resumes delivery, keeping what is pending.
  void set_enabled(bool on);
  // Events complete but for attemptNumber, which the sender sets per POST.
  void enqueue(std::vector<nlohmann::ordered_json> events);
  WebhookStats stats() const;

 private:
  struct Batch {
    nlohmann::ordered_json events;  // array
    std::int64_t key = 0;           // smallest eventId: names the batch for the seeded fault choices
    int attempt = 0;
    std::chrono::steady_clock::time_point due;
  };
  void run();
  // Next batch to send now, or the time to wait for when none is due.
  std::optional<Batch> next_batch(std::chrono::steady_clock::time_point& wake);
  // Moves ready events from queue_ into scheduled_ as batches; sets wake when the window is still open.
  void form_batches(std::chrono::steady_clock::time_point now, std::chrono::steady_clock::time_point& wake);
  Batch take_batch(std::chrono::steady_clock::time_point now);
  void settle(Batch batch, int status);

  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::optional<WebhookSettings> settings_;
  std::uint64_t generation_ = 0;  // bumped by configure(): an in-flight batch of an older one is dropped
  std::deque<std::pair<nlohmann::ordered_json, std::chrono::steady_clock::time_point>> queue_;
  std::vector<Batch> scheduled_;  // formed batches waiting to be sent: new, delayed or retried
  WebhookStats stats_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace leadsync::fake_hubspot
