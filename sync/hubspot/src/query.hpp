#pragma once
// Internal: building request targets. Every path segment and query value is percent-encoded (RFC 3986
// unreserved characters pass through); query arrays are sent comma-separated, each value encoded, as the
// HubSpot docs describe (properties=a,b).
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::hubspot::detail {

std::string percent_encode(std::string_view value);

// Form encoding for application/x-www-form-urlencoded bodies (same as percent_encode: space -> %20).
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);

class Query {
 public:
  Query& add(std::string_view key, std::string_view value);
  Query& add(std::string_view key, const std::vector<std::string>& values);  // skipped when empty
  Query& add_if(bool condition, std::string_view key, std::string_view value);
  // "" when no parameter was added, otherwise "?k=v&...".
  std::string str() const;

 private:
  std::string text_;
};

}  // namespace leadsync::hubspot::detail
