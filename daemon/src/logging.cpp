#include "logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace leadsync::daemon {

void setup_logging(config::LogLevel level, config::LogFormat format) {
  auto logger = spdlog::stderr_logger_mt("leadsync");
  // Under systemd (JOURNAL_STREAM set) the journal timestamps lines; elsewhere we do.
  const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  if (format == config::LogFormat::json) {
    logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%v"})", spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern(journal ? "%l: %v" : "%Y-%m-%dT%H:%M:%S.%eZ %l: %v", spdlog::pattern_time_type::utc);
  }
  switch (level) {
    case config::LogLevel::trace: logger->set_level(spdlog::level::trace); break;
    case config::LogLevel::debug: logger->set_level(spdlog::level::debug); break;
    case config::LogLevel::info: logger->set_level(spdlog::level::info); break;
    case config::LogLevel::warn: logger->set_level(spdlog::level::warn); break;
    case config::LogLevel::error: logger->set_level(spdlog::level::err); break;
  }
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace leadsync::daemon
