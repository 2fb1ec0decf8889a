// Answers that are not HubSpot's JSON by their form: redirects (never followed, the token stays with
// hubspot.base_url's host), encoded bodies leadsync did not ask for, and HTML pages from a proxy. Each gets a
// message of its own that echoes no secret and at most a short, escaped excerpt.
#include "response_form.hpp"

#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string one_lead_page() {
  return Json{{"results", Json::array({lead_json("1")})}}.dump();
}

// What a gzip-encoding proxy sends for a list page (the bytes need not be valid gzip for the point made).
std::string gzip_like_bytes() {
  std::string bytes("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>((i * 37) & 0xFF));
  return bytes;
}

// Exactly these headers (FakeTransport::respond adds a JSON Content-Type first).
void answer(FakeTransport& transport, int status, std::string body, std::vector<http::Header> headers) {
  transport.handle([=](const http::Request&) { return http::Response{status, headers, body}; });
}

TEST(RedirectTarget, ShowsOnlyAPlainSchemeAndHost) {
  using detail::redirect_target;
  EXPECT_EQ(redirect_target("https://api.example.com/crm/v3/objects/leads?hapikey=SECRET#x"),
            "to https://api.example.com (path and query not shown)");
  EXPECT_EQ(redirect_target("HTTP://Proxy.Example:8080"),
            "to http://proxy.example:8080 (path and query not shown)");
  EXPECT_EQ(redirect_target("https://user:pw-secret@evil.example/"),
            "to https://evil.example (path and query not shown)");
  EXPECT_EQ(redirect_target("https://[::1]:9/x"), "to https://[::1]:9 (path and query not shown)");
  EXPECT_EQ(redirect_target("//evil.example/x?t=1"), "to //evil.example (path and query not shown)");
  EXPECT_EQ(redirect_target("/login?next=%2Fcrm&token=SECRET"),
            "to another path on the same host (not shown)");
  EXPECT_EQ(redirect_target("ftp://evil.example/"), "to a location that is not an http(s) URL (not shown)");
  EXPECT_EQ(redirect_target("javascript:alert(1)"), "to a location that is not an http(s) URL (not shown)");
  for (const char* odd : {"https://ev%69l.example/", "https://evil.example:80a/", "https://evil example/",
                          "https://evil\x1b[2J.example/", "https:///path", "https://evil.example:/"})
    EXPECT_EQ(redirect_target(odd), "to a location whose host is not shown") << odd;
  EXPECT_EQ(redirect_target(std::nullopt), "without a Location");
}

TEST(UnreadableBody, NamesEncodingsAndHtmlAndLeavesJsonAlone) {
  using detail::unreadable_body;
  http::Response json{200, {{"Content-Type", "application/json;charset=utf-8"}}, one_lead_page()};
  EXPECT_FALSE(unreadable_body(json));
  json.headers.push_back({"Content-Encoding", "identity"});
  EXPECT_FALSE(unreadable_body(json));
  EXPECT_FALSE(unreadable_body(http::Response{204, {}, ""}));
  for (const char* encoding : {"gzip", "br", "deflate", "x-gzip", "GZIP "}) {
    http::Response encoded{200, {{"Content-Encoding", encoding}}, gzip_like_bytes()};
    auto why = unreadable_body(encoded);
    ASSERT_TRUE(why) << encoding;
    EXPECT_THAT(*why, HasSubstr("Content-Encoding: \"")) << encoding;
    EXPECT_THAT(*why, HasSubstr("sends no Accept-Encoding")) << encoding;
  }
  for (const auto& [type, body] : std::vector<std::pair<std::string, std::string>>{
           {"text/html; charset=UTF-8", "<html><body>Sign in to the network</body></html>"},
           {"application/json", "\r\n  <!DOCTYPE html><html>proxy</html>"},
           {"", "<HTML>proxy</HTML>"}}) {
    http::Response page{200, {}, body};
    if (!type.empty()) page.headers.push_back({"Content-Type", type});
    auto why = unreadable_body(page);
    ASSERT_TRUE(why) << body;
    EXPECT_THAT(*why, HasSubstr("an HTML page")) << body;
    EXPECT_THAT(*why, HasSubstr("a proxy, gateway or captive portal answered")) << body;
  }
}

class ResponseFormTest : public ClientFixture {};

// Before: a 3xx was "unexpected HTTP status", retried five times; the transport never follows a Location, but
// nothing said why the call failed or that the address is wrong.
TEST_F(ResponseFormTest, ARedirectIsNeverFollowedOrRetriedAndNamesOnlyTheStatusAndHost) {
  std::size_t sent = 0;
  for (int status : {301, 302, 303, 307, 308}) {
    SCOPED_TRACE(status);
    answer(transport, status,
           "<html><a href=\"https://evil.example/steal?hapikey=SECRET-1\">moved</a></html>",
           {{"Location", "https://user:pw-2@evil.example:8443/steal?hapikey=SECRET-1#frag"},
            {"Content-Type", "text/html"}});
    try {
      run_sync(client.list_page(ListRequest{}));
      FAIL() << "a redirect must fail the call";
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_fatal());
      EXPECT_EQ(e.details().http_status, status);
      const std::string what = e.what();
      EXPECT_THAT(what, HasSubstr("with a redirect (" + std::to_string(status) + ")"));
      EXPECT_THAT(what, HasSubstr("to https://evil.example:8443 (path and query not shown)"));
      EXPECT_THAT(what, HasSubstr("does not follow redirects"));
      EXPECT_THAT(what, HasSubstr("hubspot.base_url"));
      for (const char* secret : {"SECRET-1", "hapikey", "pw-2", "steal", "frag", kToken})
        EXPECT_THAT(what, Not(HasSubstr(secret)));
    }
    ASSERT_EQ(transport.requests().size(), ++sent) << "sent once, to hubspot.base_url only";
    EXPECT_TRUE(sleeps().empty());
  }
}

TEST_F(ResponseFormTest, ARedirectWithoutALocationOrToAnOddHostShowsNoHost) {
  answer(transport, 307, "", {});
  answer(transport, 302, "", {{"Location", "https://ev%69l.example/?t=SECRET"}});
  for (const char* says :
       {"with a redirect (307) without a Location", "to a location whose host is not shown"}) {
    try {
      run_sync(client.get_lead("1"));
      FAIL();
    } catch (const core::Error& e) {
      EXPECT_THAT(e.what(), HasSubstr(says));
      EXPECT_THAT(e.what(), Not(HasSubstr("SECRET")));
    }
  }
}

// Before: the gzip bytes went to the JSON decoder ("body is not valid JSON (... possibly truncated)").
TEST_F(ResponseFormTest, AGzipBodyIsAMalformedResponseNamingTheEncodingNeverDecoded) {
  for (int i = 0; i < 5; ++i)
    answer(transport, 200, gzip_like_bytes(),
           {{"Content-Type", "application/json"}, {"Content-Encoding", "gzip"}});
  try {
    run_sync(client.list_page(ListRequest{}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(), HasSubstr("malformed response from HubSpot for GET /crm/v3/objects/leads"));
    EXPECT_THAT(e.what(), HasSubstr("body is encoded (Content-Encoding: \"gzip\", 310 bytes)"));
    EXPECT_THAT(e.what(), Not(HasSubstr("not valid JSON")));
  }
  EXPECT_EQ(transport.requests().size(), 5u);
  EXPECT_FALSE(header(request(0), "Accept-Encoding")) << "leadsync asks for no encoding";
}

TEST_F(ResponseFormTest, AnEncodedErrorBodyIsNotReadAsText) {
  answer(transport, 400, gzip_like_bytes(), {{"Content-Encoding", "br"}});
  try {
    run_sync(client.get_lead("1"));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_record());
    EXPECT_THAT(e.what(), HasSubstr("(400): body is encoded (Content-Encoding: \"br\""));
  }
}

// Before: "body is not valid JSON (N bytes, possibly truncated)" for a 200 page; a 502 page was echoed
// as its first 200 bytes.
TEST_F(ResponseFormTest, AnHtmlPageFromAProxySaysSoWithABoundedEscapedExcerpt) {
  const std::string page = "<!DOCTYPE html>\r\n<html><head><title>Login \x1b[31mrequired</title></head>" +
                           std::string(5000, ' ') + "<p>session=SECRET-3</p></html>";
  for (int i = 0; i < 5; ++i) answer(transport, 200, page, {{"Content-Type", "text/html; charset=utf-8"}});
  try {
    run_sync(client.list_page(ListRequest{}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    const std::string what = e.what();
    EXPECT_THAT(what, HasSubstr("malformed response from HubSpot for GET /crm/v3/objects/leads: an HTML page "
                                "(text/html, " +
                                std::to_string(page.size()) + " bytes)"));
    EXPECT_THAT(what, HasSubstr("a proxy, gateway or captive portal answered"));
    EXPECT_THAT(what, HasSubstr(R"(it begins "<!DOCTYPE html> <html><head><title>Login \x1b[31mrequired)"));
    EXPECT_THAT(what, Not(HasSubstr("SECRET-3")));
    EXPECT_EQ(what.find('\x1b'), std::string::npos);
  }
  for (int i = 0; i < 5; ++i)
    answer(transport, 502, "<html>\r\n<head><title>502 Bad Gateway</title></head></html>",
           {{"Content-Type", "text/html"}});
  try {
    run_sync(client.list_page(ListRequest{}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("HubSpot server error for GET /crm/v3/objects/leads (502): an HTML page "
                                    "(text/html"));
  }
}

}  // namespace
}  // namespace leadsync::hubspot::test
