#include "deprecation.hpp"

#include <array>
#include <stdexcept>

namespace leadsync::fake_hubspot {

namespace {

constexpr std::array<std::string_view, 4> kKeys = {"version", "deprecation", "sunset", "link"};

int key_of(const std::optional<ApiVersion>& v) {
  return v ? 1 + static_cast<int>(*v) : 0;
}

std::string version_name(const std::optional<ApiVersion>& v) {
  if (!v) return "*";
  switch (*v) {
    case ApiVersion::legacy:
      return "legacy";
    case ApiVersion::v2026_03:
      return "2026-03";
    case ApiVersion::v2026_09:
      return "2026-09";
  }
  return "*";
}

std::string header_value(const nlohmann::json& body, const char* key) {
  if (!body.contains(key)) return "";
  const auto& v = body[key];
  if (!v.is_string()) throw std::invalid_argument(std::string("\"") + key + "\" must be a string");
  auto s = v.get<std::string>();
  if (s.size() > kMaxNoticeValue)
    throw std::invalid_argument(std::string("\"") + key + "\" is longer than " +
                                std::to_string(kMaxNoticeValue) + " bytes");
  // CR, LF and NUL would end the header (or the head) early: a different response, not a hostile value.
  if (s.find_first_of(std::string("\r\n\0", 3)) != std::string::npos)
    throw std::invalid_argument(std::string("\"") + key + "\" must not contain CR, LF or NUL");
  return s;
}

}  // namespace

DeprecationNotice parse_deprecation_notice(const nlohmann::json& body) {
  if (!body.is_object()) throw std::invalid_argument("expected an object");
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = false;
    for (auto k : kKeys) known = known || it.key() == k;
    if (!known) throw std::invalid_argument("unknown key \"" + it.key() + "\"");
  }
  DeprecationNotice n;
  if (!body.contains("version") || !body["version"].is_string())
    throw std::invalid_argument("\"version\" must be \"legacy\", \"2026-03\", \"2026-09\" or \"*\"");
  const auto version = body["version"].get<std::string>();
  if (version == "legacy") {
    n.version = ApiVersion::legacy;
  } else if (version == "2026-03") {
    n.version = ApiVersion::v2026_03;
  } else if (version == "2026-09") {
    n.version = ApiVersion::v2026_09;  // also every later date, which behaves as 2026-09
  } else if (version != "*") {
    throw std::invalid_argument("\"version\" must be \"legacy\", \"2026-03\", \"2026-09\" or \"*\"");
  }
  n.deprecation = header_value(body, "deprecation");
  n.sunset = header_value(body, "sunset");
  n.link = header_value(body, "link");
  if (n.deprecation.empty() && n.sunset.empty() && n.link.empty())
    throw std::invalid_argument("give at least one of \"deprecation\", \"sunset\", \"link\"");
  return n;
}

nlohmann::ordered_json deprecation_notice_json(const DeprecationNotice& n) {
  nlohmann::ordered_json j;
  j["version"] = version_name(n.version);
  if (!n.deprecation.empty()) j["deprecation"] = n.deprecation;
  if (!n.sunset.empty()) j["sunset"] = n.sunset;
  if (!n.link.empty()) j["link"] = n.link;
  return j;
}

void DeprecationNotices::set(DeprecationNotice n) {
  const int key = key_of(n.version);
  notices_[key] = std::move(n);
}

std::vector<std::pair<std::string, std::string>> DeprecationNotices::headers_for(ApiVersion version) const {
  std::vector<std::pair<std::string, std::string>> out;
  auto it = notices_.find(key_of(version));
  if (it == notices_.end()) it = notices_.find(0);
  if (it == notices_.end()) return out;
  const auto& n = it->second;
  if (!n.deprecation.empty()) out.emplace_back("Deprecation", n.deprecation);
  if (!n.sunset.empty()) out.emplace_back("Sunset", n.sunset);
  if (!n.link.empty()) out.emplace_back("Link", n.link);
  return out;
}

nlohmann::ordered_json DeprecationNotices::to_json() const {
  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  for (const auto& [key, n] : notices_) results.push_back(deprecation_notice_json(n));
  return nlohmann::ordered_json{{"results", std::move(results)}};
}

}  // namespace leadsync::fake_hubspot
