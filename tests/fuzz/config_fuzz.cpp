// Fuzz target config: the YAML configuration loader (config/). For any bytes, parse_config either returns a
// configuration or throws ConfigError, as its header promises: any other exception (from yaml-cpp or the
// readers), a crash or a sanitizer report is a finding. The duration parser gets the same bytes as text.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"
#include "leadsync/config/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    std::istringstream in(text);
    const auto config = leadsync::config::parse_config(in, "fuzz.yaml");
    (void)leadsync::config::non_reloadable_differences(config, config);
  } catch (const leadsync::config::ConfigError&) {
  }
  if (auto d = leadsync::config::parse_duration(text)) (void)leadsync::config::format_duration(*d);
  return 0;
}
