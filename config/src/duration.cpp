#include "leadsync/config/duration.hpp"

#include <charconv>
#include <cstdint>

namespace leadsync::config {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
  std::string_view unit(ptr, static_cast<std::size_t>(text.data() + text.size() - ptr));
  std::int64_t factor = 0;
  if (unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m") factor = 60'000;
  else if (unit == "h") factor = 3'600'000;
  else if (unit == "d") factor = 86'400'000;
  else return std::nullopt;
  if (value > INT64_MAX / factor) return std::nullopt;
  return std::chrono::milliseconds(value * factor);
}

std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  struct Unit { std::int64_t factor; const char* name; };
  for (Unit u : {Unit{86'400'000, "d"}, Unit{3'600'000, "h"}, Unit{60'000, "m"}, Unit{1000, "s"}})
    if (ms != 0 && ms % u.factor == 0) return std::to_string(ms / u.factor) + u.name;
  return std::to_string(ms) + "ms";
}

}  // namespace leadsync::config
