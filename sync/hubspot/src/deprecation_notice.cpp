#include "leadsync/hubspot/deprecation_notice.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "leadsync/core/text.hpp"
#include "leadsync/hubspot/api_support.hpp"

namespace leadsync::hubspot {

using namespace std::chrono;

namespace {

// Years 1970-9999: below, a date is surely not meant; above, sys_seconds arithmetic stays far from overflow.
constexpr std::int64_t kMaxEpochSeconds = 253'402'300'799;  // 9999-12-31T23:59:59Z
constexpr std::size_t kQuotedPrefix = 40;

using core::iequals;
using core::trim_blanks;

// Visible ASCII and spaces only: anything else in a value means it is not what the RFCs describe.
bool printable(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || (u >= 0x20 && u < 0x7f);
  });
}

// A short prefix of a network value, safe to log: printable ASCII kept, the rest as \xNN.
std::string quoted(std::string_view v) {
  std::string out = "\"";
  for (std::size_t i = 0; i < v.size() && i < kQuotedPrefix; ++i) {
    const auto u = static_cast<unsigned char>(v[i]);
    if (u >= 0x20 && u < 0x7f && u != '"' && u != '\\') {
      out += static_cast<char>(u);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  out += v.size() > kQuotedPrefix ? "\"..." : "\"";
  return out;
}

std::string note(std::string_view header, std::string_view value, std::string_view why) {
  return std::string(header) + " header " + quoted(value) + " (" + std::to_string(value.size()) +
         " bytes) ignored: " + std::string(why);
}

std::optional<int> digits(std::string_view v) {
  if (v.empty() || v.size() > 4) return std::nullopt;
  int out = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    out = out * 10 + (c - '0');
  }
  return out;
}

std::optional<unsigned> month_of(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (unsigned i = 0; i < kMonths.size(); ++i)
    if (name == kMonths[i]) return i + 1;
  return std::nullopt;
}

bool is_day_name(std::string_view name, bool long_form) {
  static constexpr std::array<std::string_view, 7> kShort = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr std::array<std::string_view, 7> kLong = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                            "Friday", "Saturday", "Sunday"};
  const auto& names = long_form ? kLong : kShort;
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "08:49:37"
std::optional<seconds> time_of_day(std::string_view v) {
  if (v.size() != 8 || v[2] != ':' || v[5] != ':') return std::nullopt;
  auto h = digits(v.substr(0, 2)), m = digits(v.substr(3, 2)), s = digits(v.substr(6, 2));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return hours(*h) + minutes(*m) + seconds(*s);
}

std::optional<SysSeconds> make_date(int y, unsigned m, int d, seconds tod) {
  if (y < 1970 || y > 9999 || d < 1) return std::nullopt;
  const year_month_day ymd{year{y}, month{m}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + tod;
}

std::vector<std::string_view> fields(std::string_view v) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < v.size() && out.size() < 8) {
    while (i < v.size() && v[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < v.size() && v[i] != ' ') ++i;
    if (i > start) out.push_back(v.substr(start, i - start));
  }
  if (i < v.size()) out.push_back(v.substr(i));  // more than expected: the caller rejects the count
  return out;
}

std::optional<SysSeconds> epoch_date(std::string_view digits_text) {
  std::int64_t s = 0;
  auto [end, ec] = std::from_chars(digits_text.data(), digits_text.data() + digits_text.size(), s);
  if (ec != std::errc{} || end != digits_text.data() + digits_text.size() || s < 0 || s > kMaxEpochSeconds)
    return std::nullopt;
  return SysSeconds{seconds{s}};
}

void keep_earliest(std::optional<SysSeconds>& slot, SysSeconds t) {
  if (!slot || t < *slot) slot = t;
}

bool acceptable_url(std::string_view url) {
  if (url.empty() || url.size() > kMaxNoticeUrl) return false;
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) return false;
  return std::all_of(url.begin(), url.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != '<' && c != '>' && c != '\\' && c != '`';
  });
}

// rel="deprecation" / rel="sunset" targets of a Link value (RFC 8288: <uri> *( ";" param ), comma-separated).
// False when the value does not follow the grammar.
bool link_targets(std::string_view v, std::optional<std::string>& deprecation,
                  std::optional<std::string>& sunset) {
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) ++i;
    if (i == v.size()) break;
    if (v[i] != '<') return false;
    const std::size_t close = v.find('>', i);
    if (close == std::string_view::npos) return false;
    const std::string_view uri = v.substr(i + 1, close - i - 1);
    i = close + 1;
    bool is_deprecation = false, is_sunset = false;
    // Parameters up to the next comma outside a quoted string.
    while (i < v.size() && v[i] != ',') {
      while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
      if (i == v.size() || v[i] == ',') break;
      if (v[i] != ';') return false;
      ++i;
      while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
      const std::size_t name_start = i;
      while (i < v.size() && v[i] != '=' && v[i] != ';' && v[i] != ',' && v[i] != ' ') ++i;
      const std::string_view name = v.substr(name_start, i - name_start);
      std::string value;
      while (i < v.size() && v[i] == ' ') ++i;
      if (i < v.size() && v[i] == '=') {
        ++i;
        while (i < v.size() && v[i] == ' ') ++i;
        if (i < v.size() && v[i] == '"') {
          ++i;
          while (i < v.size() && v[i] != '"') {
            if (v[i] == '\\' && i + 1 < v.size()) ++i;
            value += v[i++];
          }
          if (i == v.size()) return false;  // unterminated quoted string
          ++i;
        } else {
          while (i < v.size() && v[i] != ';' && v[i] != ',' && v[i] != ' ') value += v[i++];
        }
      }
      if (!iequals(name, "rel")) continue;
      // rel may hold several space-separated relation types.
      for (std::string_view rest = value; !rest.empty();) {
        const auto sp = rest.find(' ');
        const std::string_view type = rest.substr(0, sp);
        is_deprecation = is_deprecation || iequals(type, "deprecation");
        is_sunset = is_sunset || iequals(type, "sunset");
        rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
      }
    }
    if (!acceptable_url(uri)) continue;
    if (is_deprecation && !deprecation) deprecation = std::string(uri);
    if (is_sunset && !sunset) sunset = std::string(uri);
  }
  return true;
}

std::string what_to_do(ApiVersion version) {
  return version == ApiVersion::legacy ? "set hubspot.api_version to 2026-03"
                                       : "set hubspot.api_version to a newer date version";
}

}  // namespace

std::optional<SysSeconds> parse_http_date(std::string_view value) {
  const auto f = fields(trim_blanks(value));
  // IMF-fixdate: "Sun," "06" "Nov" "1994" "08:49:37" "GMT"
  if (f.size() == 6 && f[0].size() == 4 && f[0].back() == ',' && is_day_name(f[0].substr(0, 3), false) &&
      f[1].size() == 2 && f[3].size() == 4 && f[5] == "GMT") {
    auto d = digits(f[1]), y = digits(f[3]);
    auto m = month_of(f[2]);
    auto t = time_of_day(f[4]);
    if (d && y && m && t) return make_date(*y, *m, *d, *t);
    return std::nullopt;
  }
  // RFC 850: "Sunday," "06-Nov-94" "08:49:37" "GMT"; two-digit years are read as 1970-2069.
  if (f.size() == 4 && f[0].size() > 1 && f[0].back() == ',' &&
      is_day_name(f[0].substr(0, f[0].size() - 1), true) && f[1].size() == 9 && f[1][2] == '-' &&
      f[1][6] == '-' && f[3] == "GMT") {
    auto d = digits(f[1].substr(0, 2)), yy = digits(f[1].substr(7, 2));
    auto m = month_of(f[1].substr(3, 3));
    auto t = time_of_day(f[2]);
    if (d && yy && m && t) return make_date(*yy < 70 ? 2000 + *yy : 1900 + *yy, *m, *d, *t);
    return std::nullopt;
  }
  // asctime: "Sun" "Nov" "6" "08:49:37" "1994"
  if (f.size() == 5 && is_day_name(f[0], false) && f[2].size() <= 2 && f[4].size() == 4) {
    auto d = digits(f[2]), y = digits(f[4]);
    auto m = month_of(f[1]);
    auto t = time_of_day(f[3]);
    if (d && y && m && t) return make_date(*y, *m, *d, *t);
  }
  return std::nullopt;
}

std::optional<DeprecationValue> parse_deprecation_value(std::string_view value) {
  const std::string_view v = trim_blanks(value);
  // RFC 9745: an sf-date, "@" and an integer of at most 15 digits (RFC 9651), seconds since the epoch.
  if (!v.empty() && v.front() == '@') {
    const std::string_view n = v.substr(1);
    if (n.empty() || n.size() > 15) return std::nullopt;
    auto at = epoch_date(n);
    if (!at) return std::nullopt;
    return DeprecationValue{at};
  }
  // Earlier drafts: "true" (no date), or an HTTP-date.
  if (iequals(v, "true")) return DeprecationValue{};
  if (auto at = parse_http_date(v)) return DeprecationValue{at};
  return std::nullopt;
}

DeprecationHeaders parse_deprecation_headers(const std::vector<http::Header>& headers) {
  DeprecationHeaders out;
  std::optional<std::string> deprecation_link, sunset_link;
  for (const auto& h : headers) {
    const bool is_deprecation = iequals(h.name, "Deprecation");
    const bool is_sunset = iequals(h.name, "Sunset");
    const bool is_link = iequals(h.name, "Link");
    if (!is_deprecation && !is_sunset && !is_link) continue;
    const std::string_view name = is_deprecation ? "Deprecation" : is_sunset ? "Sunset" : "Link";
    const std::string_view v = h.value;
    const std::size_t limit = is_link ? kMaxLinkHeaderValue : kMaxDateHeaderValue;
    if (v.size() > limit) {
      out.ignored.push_back(note(name, v, "longer than " + std::to_string(limit) + " bytes"));
      continue;
    }
    if (!printable(v)) {
      out.ignored.push_back(note(name, v, "control or non-ASCII characters"));
      continue;
    }
    if (is_deprecation) {
      auto d = parse_deprecation_value(v);
      if (!d) {
        out.ignored.push_back(note(name, v, "neither @<seconds>, true nor an HTTP-date of years 1970-9999"));
        continue;
      }
      out.deprecated = true;
      if (d->at) keep_earliest(out.deprecated_at, *d->at);
    } else if (is_sunset) {
      auto s = parse_http_date(v);
      if (!s) {
        out.ignored.push_back(note(name, v, "not an HTTP-date of years 1970-9999"));
        continue;
      }
      keep_earliest(out.sunset, *s);
    } else if (!link_targets(v, deprecation_link, sunset_link)) {
      out.ignored.push_back(note(name, v, "not a list of <uri>; param=value links"));
    }
  }
  // A link is only worth keeping next to an announcement it explains.
  if (out.announces()) out.link = deprecation_link ? deprecation_link : sunset_link;
  return out;
}

std::string describe_deprecation(ApiVersion version, const DeprecationNotice& n) {
  std::string text =
      "HubSpot announced in its response headers that API version " + std::string(to_string(version));
  if (n.deprecated) {
    text += " is deprecated";
    if (n.deprecated_at) text += " (from " + iso_date(floor<days>(*n.deprecated_at)) + ")";
  }
  if (n.sunset)
    text += std::string(n.deprecated ? " and" : "") + " stops working on " +
            iso_date(floor<days>(*n.sunset)) + " (sunset)";
  if (n.link) text += "; details: " + *n.link;
  text += ": " + what_to_do(version) + (n.sunset ? " before then" : "") + ", after checking its changes";
  return text;
}

std::string encode_deprecation_notice(const DeprecationNotice& n) {
  auto secs = [](SysSeconds t) { return std::to_string(t.time_since_epoch().count()); };
  std::string out = std::string("deprecated=") + (n.deprecated ? "1" : "0");
  if (n.deprecated_at) out += " deprecated_at=" + secs(*n.deprecated_at);
  if (n.sunset) out += " sunset=" + secs(*n.sunset);
  out += " first_seen=" + secs(n.first_seen) + " last_seen=" + secs(n.last_seen);
  if (n.link) out += " link=" + *n.link;  // last: a URL has no spaces (acceptable_url)
  return out;
}

std::optional<DeprecationNotice> decode_deprecation_notice(std::string_view text) {
  if (text.size() > kMaxNoticeUrl + 256 || !printable(text)) return std::nullopt;
  DeprecationNotice n;
  bool have_flag = false;
  for (std::string_view rest = text; !rest.empty();) {
    const auto sp = rest.find(' ');
    const std::string_view field = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    const auto eq = field.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    if (key == "deprecated") {
      if (value != "0" && value != "1") return std::nullopt;
      n.deprecated = value == "1";
      have_flag = true;
    } else if (key == "link") {
      if (!acceptable_url(value)) return std::nullopt;
      n.link = std::string(value);
    } else {
      auto t = epoch_date(value);
      if (!t) return std::nullopt;
      if (key == "deprecated_at") {
        n.deprecated_at = t;
      } else if (key == "sunset") {
        n.sunset = t;
      } else if (key == "first_seen") {
        n.first_seen = *t;
      } else if (key == "last_seen") {
        n.last_seen = *t;
      } else {
        return std::nullopt;
      }
    }
  }
  if (!have_flag || (!n.deprecated && !n.sunset)) return std::nullopt;
  return n;
}

std::optional<DeprecationTracker::Update> DeprecationTracker::observe(ApiVersion version,
                                                                      const DeprecationHeaders& headers,
                                                                      SysSeconds now) {
  if (!headers.announces()) return std::nullopt;
  std::lock_guard lock(mutex_);
  auto [it, created] = entries_.try_emplace(version);
  Entry& e = it->second;
  const DeprecationNotice before = e.notice;
  DeprecationNotice& n = e.notice;
  if (created) n.first_seen = now;
  n.last_seen = now;
  n.deprecated = n.deprecated || headers.deprecated;
  if (headers.deprecated_at) keep_earliest(n.deprecated_at, *headers.deprecated_at);
  if (headers.sunset) keep_earliest(n.sunset, *headers.sunset);
  if (headers.link && !n.link) n.link = headers.link;
  Update u{n, false};
  if (created || !n.same_announcement(before) || now - e.logged_at >= kDeprecationRelog) {
    u.log = true;
    e.logged_at = now;
  }
  return u;
}

std::map<ApiVersion, DeprecationNotice> DeprecationTracker::notices() const {
  std::lock_guard lock(mutex_);
  std::map<ApiVersion, DeprecationNotice> out;
  for (const auto& [v, e] : entries_) out.emplace(v, e.notice);
  return out;
}

}  // namespace leadsync::hubspot
