#include <gtest/gtest.h>

#include "leadsync/core/error.hpp"
#include "leadsync/http/transport.hpp"
#include "leadsync/http/url.hpp"

namespace leadsync::http {
namespace {

TEST(BaseUrl, HttpsDefaultsToPort443) {
  const auto url = parse_base_url("https://api.hubapi.com");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "api.hubapi.com");
  EXPECT_EQ(url.port, 443);
  EXPECT_FALSE(url.host_is_ip);
  EXPECT_EQ(url.authority(), "api.hubapi.com:443");
  EXPECT_EQ(url.host_header(), "api.hubapi.com");
}

TEST(BaseUrl, SchemeAndHostAreCaseInsensitiveAndATrailingSlashIsAccepted) {
  const auto url = parse_base_url("HTTPS://API.HubApi.com:8443/");
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.host, "api.hubapi.com");
  EXPECT_EQ(url.port, 8443);
  EXPECT_EQ(url.host_header(), "api.hubapi.com:8443");
}

TEST(BaseUrl, PlainHttpToLoopbackIsAllowed) {
  const auto v4 = parse_base_url("http://127.0.0.1:8080");
  EXPECT_FALSE(v4.tls);
  EXPECT_EQ(v4.host, "127.0.0.1");
  EXPECT_EQ(v4.port, 8080);
  EXPECT_TRUE(v4.host_is_ip);
  EXPECT_EQ(v4.host_header(), "127.0.0.1:8080");

  const auto other_loopback = parse_base_url("http://127.8.9.10");
  EXPECT_EQ(other_loopback.port, 80);
  EXPECT_EQ(other_loopback.host_header(), "127.8.9.10");

  const auto v6 = parse_base_url("http://[::1]:9000");
  EXPECT_EQ(v6.host, "::1");
  EXPECT_TRUE(v6.host_is_ip);
  EXPECT_EQ(v6.authority(), "[::1]:9000");
  EXPECT_EQ(v6.host_header(), "[::1]:9000");

  const auto name = parse_base_url("http://LocalHost:1234");
  EXPECT_EQ(name.host, "localhost");
  EXPECT_FALSE(name.host_is_ip);
}

TEST(BaseUrl, PlainHttpToAnythingElseIsRefusedWithTheReason) {
  for (const char* url : {"http://api.hubapi.com", "http://10.0.0.1:8080", "http://[2001:db8::1]",
                          "http://localhost.example.com", "http://128.0.0.1", "http://0.0.0.0:80"}) {
    try {
      parse_base_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const TransportError& e) {
      EXPECT_EQ(e.transport_kind(), TransportErrorKind::insecure_refused) << url;
      EXPECT_TRUE(e.is_fatal());
      const std::string message = e.what();
      EXPECT_NE(message.find("https://"), std::string::npos) << message;
      EXPECT_NE(message.find("loopback"), std::string::npos) << message;
      EXPECT_NE(message.find("unencrypted"), std::string::npos) << message;
    }
  }
}

TEST(BaseUrl, MalformedUrlsAreFatalConfigurationErrors) {
  for (const char* url :
       {"api.hubapi.com", "https://", "https:///", "https://:443", "ftp://api.hubapi.com",
        "https://api.hubapi.com/crm/v3", "https://api.hubapi.com?x=1", "https://api.hubapi.com#frag",
        "https://api.hubapi.com:", "https://api.hubapi.com:0", "https://api.hubapi.com:65536",
        "https://api.hubapi.com:8a", "https://[::1", "https://[::1]x", "https://[zz]",
        "https://api hubapi.com", "https://-bad.example"}) {
    try {
      parse_base_url(url);
      ADD_FAILURE() << url << " was accepted";
    } catch (const TransportError& e) {
      ADD_FAILURE() << url << " gave a TransportError: " << e.what();
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal()) << url;
      EXPECT_NE(std::string(e.what()).find("base_url"), std::string::npos) << e.what();
    }
  }
}

TEST(BaseUrl, CredentialsAreRejectedWithoutEchoingThem) {
  // A bad scheme or plain http to a remote host must not be reported first, quoting the URL.
  for (const char* url : {"https://user:s3cr3t@api.hubapi.com", "ftp://user:s3cr3t@api.hubapi.com",
                          "http://user:s3cr3t@10.0.0.1"}) {
    try {
      parse_base_url(url);
      ADD_FAILURE() << "accepted";
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal());
      EXPECT_NE(std::string(e.what()).find("credentials"), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("s3cr3t"), std::string::npos) << e.what();
    }
  }
}

TEST(BaseUrl, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("LOCALHOST"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.255.254"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("[::1]"));
  EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_loopback_host("::ffff:10.0.0.1"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.localdomain"));
  EXPECT_FALSE(is_loopback_host("127.0.0.1.nip.io"));
  EXPECT_FALSE(is_loopback_host(""));
}

}  // namespace
}  // namespace leadsync::http
