#include "leadsync/hubspot/api_support.hpp"

#include <cstdio>

namespace leadsync::hubspot {

using namespace std::chrono;

ApiSupport api_support(ApiVersion v) noexcept {
  switch (v) {
    case ApiVersion::v2026_03:
      return {sys_days{year{2027} / September / 30}, true};  // released 2026-03-30, + 18 months
    case ApiVersion::v2026_09:
      return {sys_days{year{2028} / March / 8}, true};  // released about 2026-09-08, + 18 months
    case ApiVersion::legacy:
      return {sys_days{year{2027} / March / 30}, false};  // /crm/v4 (associations)
  }
  return {sys_days{year{2027} / March / 30}, false};
}

std::string iso_date(sys_days d) {
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<std::string> api_support_warning(ApiVersion v, sys_days today) {
  const ApiSupport s = api_support(v);
  if (today + kSupportWarningLead < s.end) return std::nullopt;
  const std::string version(to_string(v));
  const std::string when = (s.estimated ? "about " : "") + iso_date(s.end);
  const std::string next = v == ApiVersion::legacy ? "2026-03" : "the newest date version";
  if (today >= s.end)
    return "HubSpot no longer supports API version " + version + " (since " + when +
           "): set hubspot.api_version to " + next + " after checking its changes";
  return "HubSpot's support for API version " + version + " ends " + when + " (in " +
         std::to_string((s.end - today).count()) + " days): set hubspot.api_version to " + next +
         " before then";
}

}  // namespace leadsync::hubspot
