#include "leadsync/core/values.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>

#include "leadsync/core/text.hpp"

namespace leadsync::core {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Canonical decimal text, or nullopt when `s` is not a plain decimal number (optionally with exponent).
std::optional<std::string> canonical_number(std::string_view s) {
  s = trim_space(s);
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  std::string_view mantissa = s;
  long exponent = 0;
  if (auto e = s.find_first_of("eE"); e != std::string_view::npos) {
    mantissa = s.substr(0, e);
    auto exp_text = s.substr(e + 1);
    bool exp_negative = false;
    if (!exp_text.empty() && (exp_text.front() == '+' || exp_text.front() == '-')) {
      exp_negative = exp_text.front() == '-';
      exp_text.remove_prefix(1);
    }
    if (!all_digits(exp_text) || exp_text.size() > 4) return std::nullopt;
    exponent = std::stol(std::string(exp_text));
    if (exp_negative) exponent = -exponent;
  }
  auto dot = mantissa.find('.');
  std::string int_part(mantissa.substr(0, dot));
  std::string frac_part(dot == std::string_view::npos ? std::string_view{} : mantissa.substr(dot + 1));
  if (int_part.empty() && frac_part.empty()) return std::nullopt;
  if ((!int_part.empty() && !all_digits(int_part)) || (!frac_part.empty() && !all_digits(frac_part)))
    return std::nullopt;
  // Shift the decimal point by the exponent.
  std::string digits = int_part + frac_part;
  long point = static_cast<long>(int_part.size()) + exponent;
  if (point < 0) {
    digits.insert(0, static_cast<std::size_t>(-point), '0');
    point = 0;
  } else if (point > static_cast<long>(digits.size())) {
    digits.append(static_cast<std::size_t>(point) - digits.size(), '0');
  }
  std::string ip = digits.substr(0, static_cast<std::size_t>(point));
  std::string fp = digits.substr(static_cast<std::size_t>(point));
  ip.erase(0, std::min(ip.find_first_not_of('0'), ip.size()));
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  if (ip.empty()) ip = "0";
  std::string out = ip;
  if (!fp.empty()) out += "." + fp;
  if (negative && out != "0") out.insert(0, "-");
  return out;
}

std::optional<std::string> canonical_bool(std::string_view s) {
  auto v = ascii_lower(trim_space(s));
  if (v == "true" || v == "t" || v == "1" || v == "yes" || v == "y" || v == "on") return "true";
  if (v == "false" || v == "f" || v == "0" || v == "no" || v == "n" || v == "off") return "false";
  return std::nullopt;
}

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool parse_fixed(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  auto part = s.substr(pos, len);
  if (!all_digits(part)) return false;
  out = std::stoi(std::string(part));
  return true;
}

std::optional<std::int64_t> parse_epoch_ms(std::string_view s) {
  s = trim_space(s);
  bool neg = !s.empty() && s.front() == '-';
  if (neg) s.remove_prefix(1);
  if (!all_digits(s) || s.size() > 15) return std::nullopt;
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return neg ? -v : v;
}

}  // namespace

std::optional<WallTime> parse_timestamp(std::string_view text) {
  auto s = trim_space(text);
  if (s.size() >= 8 && all_digits(s)) {  // epoch milliseconds (HubSpot's filter/value format)
    if (auto ms = parse_epoch_ms(s)) return from_epoch_ms(*ms);
  }
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!parse_fixed(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !parse_fixed(s, 5, 2, mo) || s[7] != '-' ||
      !parse_fixed(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  std::size_t pos = 10;
  std::int64_t millis = 0;
  std::int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    ++pos;
    if (!parse_fixed(s, pos, 2, h) || pos + 2 >= s.size() || s[pos + 2] != ':' ||
        !parse_fixed(s, pos + 3, 2, mi))
      return std::nullopt;
    pos += 5;
    if (pos < s.size() && s[pos] == ':') {
      if (!parse_fixed(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      std::size_t start = pos;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      auto frac = std::string(s.substr(start, pos - start));
      if (frac.empty()) return std::nullopt;
      frac = (frac + "000").substr(0, 3);
      millis = std::stoi(frac);
    }
    if (pos < s.size()) {
      char c = s[pos];
      if (c == 'Z' || c == 'z') {
        ++pos;
      } else if (c == '+' || c == '-') {
        int oh = 0, om = 0;
        if (!parse_fixed(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t next = pos + 3;
        if (next < s.size() && s[next] == ':') ++next;
        if (next < s.size()) {
          if (!parse_fixed(s, next, 2, om)) return std::nullopt;
          next += 2;
        }
        offset_minutes = std::int64_t{c == '-' ? -1 : 1} * (oh * 60 + om);
        pos = next;
      }
    }
    if (pos != s.size() || h > 24 || mi > 59 || sec > 60) return std::nullopt;
  } else if (pos != s.size()) {
    return std::nullopt;
  }
  std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  std::int64_t ms = ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000LL + millis - offset_minutes * 60'000;
  return from_epoch_ms(ms);
}

std::string format_timestamp(WallTime t) {
  std::int64_t ms = to_epoch_ms(t);
  std::int64_t days = ms >= 0 ? ms / 86'400'000 : -((-ms + 86'399'999) / 86'400'000);
  std::int64_t rem = ms - days * 86'400'000;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  // Hot path (every pulled value of a date/datetime property, every base row): no printf.
  std::string out = "0000-00-00T00:00:00.000Z";
  auto put = [&out](std::size_t pos, std::int64_t v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10)
      out[pos + static_cast<std::size_t>(i)] = static_cast<char>('0' + v % 10);
  };
  if (y < 0 || y > 9999) {  // not an instant HubSpot can hold; keep the general (slow) formatting
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(y),
                  m, d, static_cast<long long>(rem / 3'600'000), static_cast<long long>(rem / 60'000 % 60),
                  static_cast<long long>(rem / 1000 % 60), static_cast<long long>(rem % 1000));
    return buf;
  }
  put(0, y, 4);
  put(5, m, 2);
  put(8, d, 2);
  put(11, rem / 3'600'000, 2);
  put(14, rem / 60'000 % 60, 2);
  put(17, rem / 1000 % 60, 2);
  put(20, rem % 1000, 3);
  return out;
}

Value normalize_value(PropertyType type, std::optional<std::string_view> raw) {
  if (!raw) return std::nullopt;
  switch (type) {
    case PropertyType::string:
    case PropertyType::enumeration:
      if (raw->empty()) return std::nullopt;
      return std::string(*raw);
    case PropertyType::number: {
      if (trim_space(*raw).empty()) return std::nullopt;
      if (auto n = canonical_number(*raw)) return n;
      return std::string(*raw);
    }
    case PropertyType::boolean: {
      if (trim_space(*raw).empty()) return std::nullopt;
      if (auto b = canonical_bool(*raw)) return b;
      return std::string(*raw);
    }
    case PropertyType::date: {
      if (trim_space(*raw).empty()) return std::nullopt;
      if (auto t = parse_timestamp(*raw)) return format_timestamp(*t).substr(0, 10);
      return std::string(*raw);
    }
    case PropertyType::datetime: {
      if (trim_space(*raw).empty()) return std::nullopt;
      if (auto t = parse_timestamp(*raw)) return format_timestamp(*t);
      return std::string(*raw);
    }
  }
  return std::string(*raw);
}

std::string to_hubspot_value(PropertyType, const Value& value) {
  // Normalised values are already in a form HubSpot accepts for every type (ISO dates and date-times,
  // canonical decimals, true/false); "" clears the property.
  return value.value_or("");
}

}  // namespace leadsync::core
