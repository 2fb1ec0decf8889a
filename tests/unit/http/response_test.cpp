#include <gtest/gtest.h>

#include "leadsync/http/transport.hpp"

namespace leadsync::http {
namespace {

TEST(Response, HeaderLookupIsCaseInsensitiveAndReturnsTheFirstMatch) {
  Response response;
  response.headers = {{"Content-Type", "application/json"},
                      {"X-HubSpot-RateLimit-Remaining", "99"},
                      {"x-hubspot-ratelimit-remaining", "98"}};
  EXPECT_EQ(response.header("content-type"), "application/json");
  EXPECT_EQ(response.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(response.header("X-HUBSPOT-RATELIMIT-REMAINING"), "99");
  EXPECT_FALSE(response.header("Retry-After").has_value());
  EXPECT_FALSE(response.header("Content-Typ").has_value());
  EXPECT_FALSE(response.header("").has_value());
}

TEST(TransportError, VerificationAndInsecureRefusalsAreFatalTheRestTransient) {
  for (auto kind : {TransportErrorKind::tls_verify, TransportErrorKind::insecure_refused}) {
    TransportError error(kind, "x");
    EXPECT_TRUE(error.is_fatal()) << to_string(kind);
    EXPECT_EQ(error.transport_kind(), kind);
  }
  for (auto kind :
       {TransportErrorKind::resolve, TransportErrorKind::connect, TransportErrorKind::tls_handshake,
        TransportErrorKind::timeout, TransportErrorKind::closed, TransportErrorKind::protocol,
        TransportErrorKind::too_large}) {
    TransportError error(kind, "x");
    EXPECT_TRUE(error.is_transient()) << to_string(kind);
  }
  EXPECT_STREQ(to_string(TransportErrorKind::too_large), "too_large");
  EXPECT_STREQ(to_string(TransportErrorKind::tls_verify), "tls_verify");
}

}  // namespace
}  // namespace leadsync::http
