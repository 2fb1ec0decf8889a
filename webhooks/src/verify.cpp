#include "leadsync/webhooks/verify.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

namespace leadsync::webhooks {

const char* outcome_label(Refusal r) noexcept {
  switch (r) {
    case Refusal::wrong_method:
      return "wrong_method";
    case Refusal::wrong_path:
      return "wrong_path";
    case Refusal::too_large:
      return "too_large";
    case Refusal::unsigned_request:
      return "unsigned";
    case Refusal::stale:
      return "stale";
    case Refusal::bad_signature:
      return "bad_signature";
    case Refusal::malformed:
      return "malformed";
    case Refusal::foreign:
      return "foreign";
  }
  return "unknown";
}

int http_status(Refusal r) noexcept {
  switch (r) {
    case Refusal::wrong_method:
      return 405;
    case Refusal::wrong_path:
      return 404;
    case Refusal::too_large:
      return 413;
    case Refusal::unsigned_request:
    case Refusal::stale:
    case Refusal::bad_signature:
      return 401;
    case Refusal::malformed:
    case Refusal::foreign:
      break;
  }
  return 400;
}

std::string signature_v3(std::string_view secret, std::string_view method, std::string_view url,
                         std::string_view body, std::string_view timestamp) {
  std::string source;
  source.reserve(method.size() + url.size() + body.size() + timestamp.size());
  source.append(method).append(url).append(body).append(timestamp);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(source.data()), source.size(), mac, &mac_len))
    return {};
  std::string out(4 * ((static_cast<std::size_t>(mac_len) + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

bool signature_v3_valid(std::string_view secret, std::string_view method, std::string_view url,
                        std::string_view body, std::string_view timestamp, std::string_view signature) {
  const std::string expected = signature_v3(secret, method, url, body, timestamp);
  // Length is not secret (always 44 for SHA-256); the content is compared in constant time.
  return !expected.empty() && expected.size() == signature.size() &&
         CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
}

bool timestamp_fresh(std::string_view header, std::int64_t now_ms, TimestampWindow window) {
  if (header.empty() || header.size() > 15) return false;
  std::int64_t ts = 0;
  for (char c : header) {
    if (c < '0' || c > '9') return false;
    ts = ts * 10 + (c - '0');
  }
  return ts >= now_ms - window.max_age_ms && ts <= now_ms + window.max_skew_ms;
}

namespace {

// PostgreSQL's jsonb cannot hold U+0000 (it refuses "\u0000" as a whole), and one such character in a
// property value would make every delivery of its batch fail with 503 until HubSpot gives up on it, losing
// the batch's other events too. The stored event keeps its identity (eventId, type, objectId), which is
// what applying it needs; the character becomes U+FFFD in the stored copy only.
std::string without_nul(std::string s) {
  for (std::size_t at = s.find('\0'); at != std::string::npos; at = s.find('\0', at))
    s.replace(at, 1, "\xEF\xBF\xBD");
  return s;
}

nlohmann::json storable(const nlohmann::json& v) {
  if (v.is_string()) return without_nul(v.get<std::string>());
  if (v.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : v) out.push_back(storable(item));
    return out;
  }
  if (v.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : v.items()) out[without_nul(key)] = storable(item);
    return out;
  }
  return v;
}

}  // namespace

ParsedBatch parse_batch(std::string_view body, std::int64_t portal_id, std::optional<std::int64_t> app_id) {
  ParsedBatch out;
  nlohmann::json batch = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!batch.is_array() || batch.empty()) {
    out.refusal = Refusal::malformed;
    return out;
  }
  auto integer = [](const nlohmann::json& e, const char* key) -> std::optional<std::int64_t> {
    auto it = e.find(key);
    if (it == e.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
  };
  for (const auto& e : batch) {
    if (!e.is_object()) {
      out.refusal = Refusal::malformed;
      break;
    }
    const auto event_id = integer(e, "eventId"), object_id = integer(e, "objectId"),
               portal = integer(e, "portalId"), app = integer(e, "appId");
    auto type = e.find("subscriptionType");
    if (!event_id || !object_id || !portal || type == e.end() || !type->is_string()) {
      out.refusal = Refusal::malformed;
      break;
    }
    if (*portal != portal_id || (app_id && app != app_id)) {
      out.refusal = Refusal::foreign;
      break;
    }
    InboxEvent ev;
    ev.event_id = *event_id;
    ev.object_id = *object_id;
    ev.subscription_type = without_nul(type->get<std::string>());
    ev.occurred_at_ms = integer(e, "occurredAt").value_or(0);
    ev.payload = storable(e).dump();
    out.events.push_back(std::move(ev));
  }
  if (out.refusal) out.events.clear();
  return out;
}

}  // namespace leadsync::webhooks
