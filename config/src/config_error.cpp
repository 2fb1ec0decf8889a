#include "leadsync/config/config_error.hpp"

namespace leadsync::config {

namespace {

std::string join_issues(const std::vector<ConfigIssue>& issues) {
  std::string out;
  for (const ConfigIssue& issue : issues) {
    if (!out.empty()) out += '\n';
    out += format_issue(issue);
  }
  return out.empty() ? "invalid configuration" : out;
}

}  // namespace

std::string format_issue(const ConfigIssue& issue) {
  std::string out = issue.file;
  if (issue.line > 0) out += ":" + std::to_string(issue.line) + ":" + std::to_string(issue.column);
  if (!out.empty()) out += ": ";
  if (!issue.key_path.empty()) out += issue.key_path + ": ";
  return out + issue.message;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join_issues(issues)), issues_(std::move(issues)) {}

}  // namespace leadsync::config
