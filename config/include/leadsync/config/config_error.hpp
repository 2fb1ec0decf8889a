#pragma once
// ConfigError: everything wrong with a configuration, found in one pass. Each issue names the file, the
// 1-based line and column (0 when the problem has no position, e.g. a missing file or a missing secret),
// the key path (`sync.interval`, `mappings[2].type`) and what was expected. Secret values never appear in
// a message. what() lists the issues one per line as `FILE:LINE:COL: KEY.PATH: message`.
// Thread-safety: immutable after construction.
#include <stdexcept>
#include <string>
#include <vector>

namespace leadsync::config {

struct ConfigIssue {
  std::string file;
  int line = 0;          // 1-based; 0 = no position
  int column = 0;        // 1-based; 0 = no position
  std::string key_path;  // empty for file-level problems (syntax, missing file)
  std::string message;

  bool operator==(const ConfigIssue&) const = default;
};

// `FILE:LINE:COL: KEY.PATH: message`; the position and the key path are left out when absent.
std::string format_issue(const ConfigIssue& issue);

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const noexcept { return issues_; }

 private:
  std::vector<ConfigIssue> issues_;
};

}  // namespace leadsync::config
