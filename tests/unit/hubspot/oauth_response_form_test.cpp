// The OAuth token endpoint's answers that are not HubSpot's JSON by their form get the messages the API
// client gives for them (response_form.hpp): a redirect is never followed and names only the scheme and
// host, an encoded body or a proxy's HTML page is never read as JSON nor taken for a refusal of the
// credentials. The client secret and the refresh token appear in no message.
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kClientSecret = "csecret-0123456789";
constexpr const char* kRefreshToken = "rt-aaaaaaaa-bbbb-cccc";

class OAuthResponseFormTest : public ::testing::Test {
 protected:
  ManualClock clock;
  FakeTransport transport;
  OAuthTokenProvider oauth{transport, clock, OAuthOptions{"cid-1", kClientSecret, kRefreshToken}};

  // Exactly these headers (FakeTransport::respond adds a JSON Content-Type first).
  void answer(int status, std::string body, std::vector<http::Header> headers) {
    transport.handle([=](const http::Request&) { return http::Response{status, headers, body}; });
  }

  core::Error refresh_error() {
    try {
      run_sync(oauth.access_token());
    } catch (const core::Error& e) {
      const std::string what = e.what();
      EXPECT_THAT(what, Not(HasSubstr(kClientSecret)));
      EXPECT_THAT(what, Not(HasSubstr(kRefreshToken)));
      return e;
    }
    ADD_FAILURE() << "the refresh succeeded";
    return core::transient_error("none");
  }
};

std::string nginx_page(int status) {
  return "<html>\r\n<head><title>" + std::to_string(status) +
         " Found</title></head>\r\n<body>\r\n<center><h1>302 "
         "Found</h1></center>\r\n<hr><center>nginx</center>"
         "\r\n</body>\r\n</html>\r\n";
}

TEST_F(OAuthResponseFormTest, ARedirectIsNeitherFollowedNorRetriedAndNamesOnlyTheSchemeAndHost) {
  for (int status : {301, 302, 303, 307, 308}) {
    SCOPED_TRACE(status);
    const std::size_t before = transport.requests().size();
    answer(status, nginx_page(status),
           {{"Location", std::string("https://user:pw@login.example.net:8443/oauth/v1/token?refresh_token=") +
                             kRefreshToken + "&client_secret=" + kClientSecret},
            {"Content-Type", "text/html"}});
    const core::Error e = refresh_error();
    EXPECT_TRUE(e.is_fatal()) << e.what();
    EXPECT_EQ(e.details().cause, core::FatalCause::unspecified);  // not a revoked refresh token
    EXPECT_EQ(e.details().http_status, status);
    EXPECT_THAT(e.what(), HasSubstr("answered the OAuth token refresh (POST /oauth/2026-03/token) with a "
                                    "redirect (" +
                                    std::to_string(status) +
                                    ") to https://login.example.net:8443 (path and query not shown); "
                                    "leadsync does not follow redirects"));
    EXPECT_THAT(e.what(), Not(HasSubstr("pw")));
    EXPECT_THAT(e.what(), Not(HasSubstr("/oauth/v1")));
    EXPECT_THAT(e.what(), Not(HasSubstr("nginx")));
    EXPECT_EQ(transport.requests().size(), before + 1);  // one POST, to the configured path only
    EXPECT_EQ(transport.requests().back().target, "/oauth/2026-03/token");
  }
}

TEST_F(OAuthResponseFormTest, AGzipTokenResponseIsTransientNamingTheEncodingNeverDecoded) {
  std::string gzip("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  gzip += R"({"access_token":"at-hidden","expires_in":1800})";
  answer(200, gzip, {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  const core::Error e = refresh_error();
  EXPECT_TRUE(e.is_transient()) << e.what();
  EXPECT_THAT(e.what(),
              HasSubstr("malformed response from HubSpot for POST /oauth/2026-03/token: body is "
                        "encoded (Content-Encoding: \"gzip\", 56 bytes) although leadsync asked for "
                        "no encoding"));
  EXPECT_THAT(e.what(), Not(HasSubstr("at-hidden")));
}

TEST_F(OAuthResponseFormTest, AnHtmlPageWithA200IsTransientAndSaysAProxyAnswered) {
  answer(200, "<!DOCTYPE html><html><body>Sign in to the guest Wi-Fi</body></html>",
         {{"Content-Type", "text/html; charset=utf-8"}});
  const core::Error e = refresh_error();
  EXPECT_TRUE(e.is_transient()) << e.what();
  EXPECT_THAT(e.what(), HasSubstr("malformed response from HubSpot for POST /oauth/2026-03/token: an HTML "
                                  "page (text/html, 67 bytes) where HubSpot sends JSON: a proxy, gateway or "
                                  "captive portal answered"));
}

// A proxy's 403 or 401 page says nothing about the credentials: not "HubSpot refused", not fatal.
TEST_F(OAuthResponseFormTest, AnHtmlRefusalFromAProxyIsNotTakenForARefusalOfTheCredentials) {
  for (int status : {400, 401, 403}) {
    SCOPED_TRACE(status);
    answer(status,
           std::string("<html><body>Access denied for client_secret=") + kClientSecret + "</body></html>",
           {{"Content-Type", "text/html"}});
    const core::Error e = refresh_error();
    EXPECT_TRUE(e.is_transient()) << e.what();
    EXPECT_THAT(e.what(), HasSubstr("OAuth token refresh (POST /oauth/2026-03/token) failed (" +
                                    std::to_string(status) + "): an HTML page (text/html, "));
    EXPECT_THAT(e.what(), HasSubstr("[redacted]"));
    EXPECT_THAT(e.what(), Not(HasSubstr("HubSpot refused")));
  }
}

TEST_F(OAuthResponseFormTest, AGatewayPageStaysTransientWithTheSameMessage) {
  answer(502, "<html><head><title>502 Bad Gateway</title></head></html>", {{"Content-Type", "text/html"}});
  const core::Error e = refresh_error();
  EXPECT_TRUE(e.is_transient()) << e.what();
  EXPECT_THAT(e.what(),
              HasSubstr("failed (502): an HTML page (text/html, 56 bytes) where HubSpot sends JSON"));
}

TEST_F(OAuthResponseFormTest, HubSpotsOwnJsonRefusalIsStillARefusal) {
  transport.respond(400, R"({"status":"BAD_CLIENT_ID","message":"unknown client"})");
  const core::Error e = refresh_error();
  EXPECT_TRUE(e.is_fatal()) << e.what();
  EXPECT_THAT(e.what(), HasSubstr("HubSpot refused the OAuth client credentials"));
}

}  // namespace
}  // namespace leadsync::hubspot::test
