#pragma once
// Internal: building request targets. Every path segment and query value is percent-encoded (RFC 3986
// unreserved characters pass through); query arrays are sent comma-separated, each value encoded, as the
// HubSpot docs describe (properties=a,b).
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::hubspot::detail {

std::string percent_encode(std::string_view value);

// HubSpot record ids are decimal digits (^[0-9]+$).
bool is_record_id(std::string_view id);
// A record id as a path segment. Anything but digits (a "..", a slash, a value edited into the table) would
// change the path the request goes to: refused with core::record_error naming `what` and the value.
std::string record_id_segment(std::string_view id, std::string_view what);
// Any other value as one path segment: percent-encoded, dots included, so "." and ".." are no dot-segments.
std::string path_segment(std::string_view value);
// `text` quoted for a message: control characters and non-ASCII bytes as \xNN, at most `max` bytes shown.
std::string quoted(std::string_view text, std::size_t max = 40);

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
