#pragma once
// Durations in the YAML: an integer followed by a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 1h, 1d, or
// several such parts added up, e.g. 1h30m. No sign, no spaces, no bare numbers ("30" is ambiguous).
// Thread-safety: pure functions.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadsync::config {

// nullopt for anything else, including overflow.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
std::string format_duration(std::chrono::milliseconds d);  // the largest exact unit: 90000ms -> "90s"

}  // namespace leadsync::config
