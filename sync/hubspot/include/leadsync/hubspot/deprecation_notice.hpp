#pragma once
// Deprecation notices HubSpot may send in response headers, and what leadsync keeps of them per API version.
//
// HubSpot documents no such headers (it announces deprecations in its developer changelog), so leadsync
// reads the standard ones in case they appear: Deprecation (RFC 9745: a structured date "@1735689600";
// older drafts sent "true" or an HTTP-date), Sunset (RFC 8594: an HTTP-date) and Link with
// rel="deprecation" or rel="sunset" (a page describing the change). The values come from the network:
// anything unreadable (malformed, oversized, control or non-ASCII characters, dates outside years
// 1970-9999) is ignored with a note, and notes quote at most a short escaped prefix of the value.
// Parsing is pure; DeprecationTracker is thread-safe.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "leadsync/http/transport.hpp"
#include "leadsync/hubspot/api_version.hpp"

namespace leadsync::hubspot {

using SysSeconds = std::chrono::sys_seconds;

// Longest Deprecation / Sunset value read (an HTTP-date is 29 characters), longest Link value and URL kept.
inline constexpr std::size_t kMaxDateHeaderValue = 64;
inline constexpr std::size_t kMaxLinkHeaderValue = 4096;
inline constexpr std::size_t kMaxNoticeUrl = 512;

// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", and the obsolete RFC 850 and asctime forms every HTTP
// recipient must accept (RFC 9110 5.6.7). nullopt when malformed or outside years 1970-9999.
std::optional<SysSeconds> parse_http_date(std::string_view value);

// A Deprecation field value: the date ("@<seconds>" or an HTTP-date), or no date ("true" of the drafts).
struct DeprecationValue {
  std::optional<SysSeconds> at;
};
std::optional<DeprecationValue> parse_deprecation_value(std::string_view value);

// What the headers of one response said.
struct DeprecationHeaders {
  bool deprecated = false;
  std::optional<SysSeconds> deprecated_at;  // earliest date given
  std::optional<SysSeconds> sunset;         // earliest date given
  std::optional<std::string> link;          // rel="deprecation" (preferred) or rel="sunset" target, http(s)
  std::vector<std::string> ignored;         // one note per value not read; printable ASCII, bounded

  bool announces() const { return deprecated || sunset.has_value(); }
};
DeprecationHeaders parse_deprecation_headers(const std::vector<http::Header>& headers);

// What leadsync knows of one API version's deprecation.
struct DeprecationNotice {
  bool deprecated = false;
  std::optional<SysSeconds> deprecated_at;  // earliest announced
  std::optional<SysSeconds> sunset;         // earliest announced
  std::optional<std::string> link;
  SysSeconds first_seen{};
  SysSeconds last_seen{};

  // Same announcement (the times it was seen aside).
  bool same_announcement(const DeprecationNotice& o) const {
    return deprecated == o.deprecated && deprecated_at == o.deprecated_at && sunset == o.sunset &&
           link == o.link;
  }
};

// A notice is logged again when it is still being sent this long after it was last logged.
inline constexpr std::chrono::hours kDeprecationRelog{24};

// The operator's warning: the version, the dates, the link, and what to do (switch hubspot.api_version).
std::string describe_deprecation(ApiVersion version, const DeprecationNotice& notice);

// A notice as one line of text, for keeping it where another process reads it (the daemon's sync_state,
// read by --status): "deprecated=1 deprecated_at=1735689600 sunset=1822262400 first_seen=... last_seen=...
// link=https://...". decode re-checks everything (nullopt when malformed), as for a header value.
std::string encode_deprecation_notice(const DeprecationNotice& notice);
std::optional<DeprecationNotice> decode_deprecation_notice(std::string_view text);

// Per API version: the notice built from every response that carried one, and when to log it.
class DeprecationTracker {
 public:
  struct Update {
    DeprecationNotice notice;
    bool log = false;  // a new or changed announcement, or kDeprecationRelog since the last log line
  };
  // nullopt when the headers announce nothing.
  std::optional<Update> observe(ApiVersion version, const DeprecationHeaders& headers, SysSeconds now);
  std::map<ApiVersion, DeprecationNotice> notices() const;

 private:
  struct Entry {
    DeprecationNotice notice;
    SysSeconds logged_at{};
  };
  mutable std::mutex mutex_;
  std::map<ApiVersion, Entry> entries_;
};

}  // namespace leadsync::hubspot
