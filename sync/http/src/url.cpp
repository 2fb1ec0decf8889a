#include "leadsync/http/url.hpp"

#include "leadsync/core/error.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/netaddr/host.hpp"

namespace leadsync::http {

BaseUrl parse_base_url(std::string_view url) {
  netaddr::BaseUrlResult r = netaddr::parse_base_url(url);
  if (r.url) return std::move(*r.url);
  if (r.error == netaddr::UrlError::plain_http_to_remote)
    throw TransportError(TransportErrorKind::insecure_refused, "refusing base_url: " + r.message);
  if (r.error == netaddr::UrlError::credentials)
    r.message += "; the access token is configured separately, never in the URL";
  throw core::fatal_error("invalid base_url: " + r.message);
}

bool is_loopback_host(std::string_view host) {
  return netaddr::is_loopback_host(host);
}

}  // namespace leadsync::http
