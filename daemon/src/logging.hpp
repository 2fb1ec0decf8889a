#pragma once
// spdlog setup: one line per event on stderr (journald adds its own timestamp and unit), text or JSON.
#include "leadsync/config/app_config.hpp"

namespace leadsync::daemon {

void setup_logging(config::LogLevel level, config::LogFormat format);

}  // namespace leadsync::daemon
