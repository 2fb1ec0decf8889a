#pragma once
// Command-line parsing (pure; unit-tested). Throws UsageError for anything it cannot accept.
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace leadsync::daemon {

enum class Mode { daemon, sync_now, check_config, status, retry_failed, version, help };
enum class OutputFormat { text, json };

struct CliOptions {
  Mode mode = Mode::daemon;
  std::optional<std::string> config_path;
  bool full = false;          // --full: ignore watermarks, sweep everything
  bool dry_run = false;       // --dry-run (with --sync-now)
  bool retry_failed = false;  // --retry-failed (alone, or with --sync-now)
  bool online = false;        // --online (with --check-config)
  OutputFormat output = OutputFormat::text;
  std::optional<std::string> migrations_dir;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

CliOptions parse_cli(const std::vector<std::string>& args);
std::string help_text();

}  // namespace leadsync::daemon
