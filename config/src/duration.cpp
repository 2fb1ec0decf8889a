#include "leadsync/config/duration.hpp"

#include <charconv>
#include <cstdint>

namespace leadsync::config {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p != end) {
    // from_chars would accept a leading '-'; durations have no sign.
    if (*p < '0' || *p > '9') return std::nullopt;
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(p, end, value);
    if (ec != std::errc()) return std::nullopt;
    const char* unit_end = ptr;
    while (unit_end != end && (*unit_end < '0' || *unit_end > '9')) ++unit_end;
    std::string_view unit(ptr, static_cast<std::size_t>(unit_end - ptr));
    std::int64_t factor = 0;
    if (unit == "ms")
      factor = 1;
    else if (unit == "s")
      factor = 1000;
    else if (unit == "m")
      factor = 60'000;
    else if (unit == "h")
      factor = 3'600'000;
    else if (unit == "d")
      factor = 86'400'000;
    else
      return std::nullopt;
    if (value > INT64_MAX / factor || total > INT64_MAX - value * factor) return std::nullopt;
    total += value * factor;
    p = unit_end;
  }
  return std::chrono::milliseconds(total);
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  struct Unit {
    std::int64_t factor;
    const char* name;
  };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}})
    if (ms != 0 && ms % u.factor == 0) return std::to_string(ms / u.factor) + u.name;
  return std::to_string(ms) + "ms";
}

}  // namespace leadsync::config
