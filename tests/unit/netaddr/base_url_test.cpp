#include <gtest/gtest.h>

#include "leadsync/netaddr/base_url.hpp"

namespace leadsync::netaddr {
namespace {

BaseUrlResult refused(std::string_view text) {
  BaseUrlResult r = parse_base_url(text);
  EXPECT_FALSE(r.url) << text << " was accepted";
  EXPECT_FALSE(r.message.empty()) << text;
  return r;
}

TEST(NetaddrBaseUrl, NormalisedFormKeepsAnExplicitPortOnly) {
  EXPECT_EQ(parse_base_url("HTTPS://API.HubAPI.com/").url->normalized(), "https://api.hubapi.com");
  EXPECT_EQ(parse_base_url("https://api.hubapi.com:443").url->normalized(), "https://api.hubapi.com:443");
  EXPECT_EQ(parse_base_url("http://[::1]:9000").url->normalized(), "http://[::1]:9000");
  EXPECT_EQ(parse_base_url("http://[::1]").url->normalized(), "http://[::1]");
}

// Credentials are looked for before anything else, so no other message (a bad scheme, a bad host, plain
// http) can quote them.
TEST(NetaddrBaseUrl, CredentialsAreRefusedFirstAndNeverEchoed) {
  for (const char* url : {"https://user:s3cr3t@api.hubapi.com", "ftp://user:s3cr3t@api.hubapi.com",
                          "user:s3cr3t@api.hubapi.com", "http://user:s3cr3t@10.0.0.1",
                          "https://user:s3cr3t@bad host:x/path?q#f", "hxxps://s3cr3t@"}) {
    BaseUrlResult r = refused(url);
    EXPECT_EQ(r.error, UrlError::credentials) << url;
    EXPECT_NE(r.message.find("must not contain credentials (value hidden)"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("s3cr3t"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("user"), std::string::npos) << r.message;
  }
}

// A text without a scheme may be a token pasted into the wrong key: it is not echoed.
TEST(NetaddrBaseUrl, TextWithoutSchemeIsNotEchoed) {
  BaseUrlResult r = refused("pat-na1-0123-s3cr3t");
  EXPECT_EQ(r.error, UrlError::missing_scheme);
  EXPECT_EQ(r.message.find("s3cr3t"), std::string::npos) << r.message;
}

TEST(NetaddrBaseUrl, EachProblemHasItsKind) {
  EXPECT_EQ(refused("ftp://api.hubapi.com").error, UrlError::unsupported_scheme);
  EXPECT_EQ(refused("https://api.hubapi.com/crm/v3").error, UrlError::path_query_or_fragment);
  EXPECT_EQ(refused("https://api.hubapi.com?x=1").error, UrlError::path_query_or_fragment);
  EXPECT_EQ(refused("https://api.hubapi.com//").error, UrlError::path_query_or_fragment);
  EXPECT_EQ(refused("https://").error, UrlError::invalid_host);
  EXPECT_EQ(refused("https://:443").error, UrlError::invalid_host);
  EXPECT_EQ(refused("https://[::1").error, UrlError::invalid_host);
  EXPECT_EQ(refused("https://api.hubapi.com:").error, UrlError::invalid_port);
  EXPECT_EQ(refused("https://api.hubapi.com:0").error, UrlError::invalid_port);
  EXPECT_EQ(refused("https://api.hubapi.com:65536").error, UrlError::invalid_port);
  EXPECT_EQ(refused("http://api.hubapi.com").error, UrlError::plain_http_to_remote);
  EXPECT_EQ(refused("http://127.0.0").error, UrlError::plain_http_to_remote);
}

}  // namespace
}  // namespace leadsync::netaddr
