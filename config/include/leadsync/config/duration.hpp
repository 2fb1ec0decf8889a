#pragma once
// Durations in the YAML: an integer followed by a unit, e.g. 500ms, 30s, 5m, 1h, 1d.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace leadsync::config {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;
std::string format_duration(std::chrono::milliseconds d);  // the largest exact unit: 90000ms -> "90s"

}  // namespace leadsync::config
