#include "leadsync/http/transport.hpp"

#include <algorithm>
#include <cctype>

namespace leadsync::http {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

core::ErrorKind kind_of(TransportErrorKind kind) {
  switch (kind) {
    case TransportErrorKind::tls_verify:
    case TransportErrorKind::insecure_refused:
      return core::ErrorKind::fatal;
    default:
      return core::ErrorKind::transient;
  }
}
}  // namespace

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

const char* to_string(TransportErrorKind kind) noexcept {
  switch (kind) {
    case TransportErrorKind::resolve:
      return "resolve";
    case TransportErrorKind::connect:
      return "connect";
    case TransportErrorKind::tls_handshake:
      return "tls_handshake";
    case TransportErrorKind::tls_verify:
      return "tls_verify";
    case TransportErrorKind::timeout:
      return "timeout";
    case TransportErrorKind::closed:
      return "closed";
    case TransportErrorKind::protocol:
      return "protocol";
    case TransportErrorKind::too_large:
      return "too_large";
    case TransportErrorKind::insecure_refused:
      return "insecure_refused";
  }
  return "unknown";
}

TransportError::TransportError(TransportErrorKind kind, const std::string& message, OversizedPart oversized)
    : core::Error(kind_of(kind), message), transport_kind_(kind), oversized_(oversized) {}

}  // namespace leadsync::http
