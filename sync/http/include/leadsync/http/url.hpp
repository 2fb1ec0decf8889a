#pragma once
// The transport's base URL ("https://api.hubapi.com", "http://127.0.0.1:8080") and the loopback rule for
// plain HTTP, as the transport applies them. The rules themselves live in leadsync_netaddr, which config/
// uses too, so a configuration that validates is one the transport accepts.
// Throws: parse_base_url throws core::Error (fatal) for a malformed URL and TransportError
// (insecure_refused, fatal) for http:// to a host that is not loopback. Messages never echo credentials.
// Thread-safety: pure functions.
#include <string_view>

#include "leadsync/netaddr/base_url.hpp"

namespace leadsync::http {

using BaseUrl = netaddr::BaseUrl;

// Accepts scheme://host[:port] with an optional single trailing "/"; scheme http or https (any case).
// Rejects paths, queries, fragments, user:password@, empty hosts, bad ports, and http:// to a non-loopback
// host.
BaseUrl parse_base_url(std::string_view url);

// True for "localhost" (any case), 127.0.0.0/8, ::1 and ::ffff:127.x.y.z. Host names other than
// "localhost" are never considered loopback, whatever they resolve to.
bool is_loopback_host(std::string_view host);

}  // namespace leadsync::http
