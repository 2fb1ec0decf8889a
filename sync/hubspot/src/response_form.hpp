#pragma once
// Internal: what the form of a response says before its body is read. HubSpot's API answers with JSON and
// never redirects; a redirect, an encoded body or an HTML page means something else answered (a proxy, a
// gateway, a captive portal) or the address is wrong. Each gets a message of its own instead of a JSON
// parse error on bytes that were never JSON, and none of them echoes more than a short, escaped excerpt.
#include <optional>
#include <string>
#include <string_view>

#include "leadsync/http/transport.hpp"

namespace leadsync::hubspot::detail {

// 301, 302, 303, 307, 308, or any other 3xx that names a Location.
bool is_redirect(const http::Response& response);

// Where a redirect points, for a message: "https://host[:port]" and nothing more (no user info, path, query
// or fragment, which may hold secrets), and only when the host is a plain host name or IP literal.
// Otherwise a phrase saying what was left out.
std::string redirect_target(std::optional<std::string_view> location);

// Why `response`'s body cannot be HubSpot's JSON whatever bytes it holds, or nullopt: a Content-Encoding
// other than identity (leadsync sends no Accept-Encoding and reads only plain bodies), or an HTML page.
std::optional<std::string> unreadable_body(const http::Response& response);

}  // namespace leadsync::hubspot::detail
