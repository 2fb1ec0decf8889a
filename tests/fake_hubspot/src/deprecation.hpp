#pragma once
// Deprecation notices in response headers (Deprecation, RFC 9745; Sunset, RFC 8594; Link rel="deprecation"
// / rel="sunset"), set through /_fake/deprecation. HubSpot documents no such headers: they exist here so a
// client can be tested against the standard ones, should HubSpot start sending them, and against hostile
// values. Values are sent exactly as configured (only what would break HTTP framing is refused).
// Plain data; parse_deprecation_notice throws std::invalid_argument naming the bad field.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "versions.hpp"

namespace leadsync::fake_hubspot {

struct DeprecationNotice {
  std::optional<ApiVersion> version;  // nullopt = every version ("*")
  std::string deprecation;            // Deprecation header value; "" = not sent
  std::string sunset;                 // Sunset header value
  std::string link;                   // Link header value, e.g. <https://…>; rel="deprecation"
};

// Longest header value accepted: large enough to test a client's bounds, below a client's header cap.
inline constexpr std::size_t kMaxNoticeValue = 32 * 1024;

DeprecationNotice parse_deprecation_notice(const nlohmann::json& body);
nlohmann::ordered_json deprecation_notice_json(const DeprecationNotice& n);

// The notices by version; a version's own notice wins over the "*" one.
class DeprecationNotices {
 public:
  void set(DeprecationNotice n);
  void clear() { notices_.clear(); }
  // Headers to add to a response of an API route of `version` (none when no notice applies).
  std::vector<std::pair<std::string, std::string>> headers_for(ApiVersion version) const;
  nlohmann::ordered_json to_json() const;

 private:
  // Key: 0 = "*", 1 + the version's enum value otherwise.
  std::map<int, DeprecationNotice> notices_;
};

}  // namespace leadsync::fake_hubspot
