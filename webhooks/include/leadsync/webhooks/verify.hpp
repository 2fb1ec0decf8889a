#pragma once
// The checks a webhook request passes before anything is stored, as pure functions: HubSpot's signature
// v3 (base64 HMAC-SHA256 with the app's client secret over method + URL + body + timestamp, OpenSSL,
// compared in constant time), the timestamp window, and the batch (a JSON array of object.* events of
// the expected portal and app). Each failure is a Refusal value; nothing here logs or throws.
// Thread-safety: pure functions.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::webhooks {

// Why a request was refused; also the `outcome` label of leadsync_webhook_requests_total.
enum class Refusal {
  wrong_method,      // 405: not POST
  wrong_path,        // 404
  too_large,         // 413: body over the cap
  unsigned_request,  // 401: signature or timestamp header missing
  stale,             // 401: timestamp older than the window or too far in the future
  bad_signature,     // 401
  malformed,         // 400: not a JSON array of events with eventId, subscriptionType, objectId
  foreign,           // 400: an event of another portal or app
};
const char* outcome_label(Refusal r) noexcept;
int http_status(Refusal r) noexcept;

// Whether `signature` (the X-HubSpot-Signature-v3 header) is the signature of the request.
bool signature_v3_valid(std::string_view secret, std::string_view method, std::string_view url,
                        std::string_view body, std::string_view timestamp, std::string_view signature);
// The v3 signature itself (base64); for tests and tools that sign like HubSpot.
std::string signature_v3(std::string_view secret, std::string_view method, std::string_view url,
                         std::string_view body, std::string_view timestamp);

struct TimestampWindow {
  std::int64_t max_age_ms = 5 * 60 * 1000;  // HubSpot: refuse anything older than 5 minutes
  std::int64_t max_skew_ms = 60 * 1000;     // clocks differ a little; a request from the future no more
};
// X-HubSpot-Request-Timestamp (epoch milliseconds, digits only) within the window around now_ms.
bool timestamp_fresh(std::string_view header, std::int64_t now_ms, TimestampWindow window = {});

struct InboxEvent {
  std::int64_t event_id = 0;
  std::string subscription_type;  // object.propertyChange, ...
  std::int64_t object_id = 0;
  std::int64_t occurred_at_ms = 0;  // 0 when absent
  std::string payload;              // the event's JSON object, as compact text
};

struct ParsedBatch {
  std::vector<InboxEvent> events;
  std::optional<Refusal> refusal;  // malformed or foreign; events then empty
};
// portal_id must match every event's portalId; app_id, when set, every event's appId.
ParsedBatch parse_batch(std::string_view body, std::int64_t portal_id, std::optional<std::int64_t> app_id);

}  // namespace leadsync::webhooks
