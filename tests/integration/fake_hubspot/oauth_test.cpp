// The OAuth token endpoint: the refresh_token grant on /oauth/2026-03/token (form body only, RFC 6749
// error bodies) and /oauth/v1/token, access tokens accepted by the API until they expire, refresh-token
// rotation and revocation.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

constexpr const char* kForm = "application/x-www-form-urlencoded";

FakeHubspot oauth_fake() {
  FakeHubspot::Options o;
  o.tokens = {"pat-test"};  // other bearer tokens are refused
  o.extra_args = {"--oauth-client", "client-1:secret-1:refresh-1"};
  return FakeHubspot(o);
}

SimpleResponse token_request(FakeHubspot& fake, const std::string& body,
                             const std::string& path = "/oauth/2026-03/token",
                             const std::string& content_type = kForm) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
  return testing::http_request(fake.port(), "POST", path, body, headers);
}

std::string refresh_body(const std::string& refresh, const std::string& secret = "secret-1",
                         const std::string& client = "client-1") {
  return "grant_type=refresh_token&client_id=" + client + "&client_secret=" + secret +
         "&refresh_token=" + refresh;
}

void expect_error(const SimpleResponse& r, const std::string& error, const std::string& old_status) {
  EXPECT_EQ(r.status, 400) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b["error"], error) << r.body;
  EXPECT_TRUE(b["error_description"].is_string()) << r.body;
  EXPECT_EQ(b["status"], old_status) << r.body;
  EXPECT_EQ(b["message"], b["error_description"]) << r.body;
  EXPECT_TRUE(b["correlationId"].is_string()) << r.body;
}

TEST(FakeHubspotOAuth, RefreshGrantIssuesAnAccessTokenTheApiAccepts) {
  auto fake = oauth_fake();
  EXPECT_EQ(with_token(fake, "not-issued", "GET", "/crm/objects/2026-03/leads").status, 401);
  auto r = token_request(fake, refresh_body("refresh-1"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto b = body_of(r);
  EXPECT_EQ(b["token_type"], "bearer");
  EXPECT_EQ(b["token_use"], "access_token");
  EXPECT_EQ(b["expires_in"], 1800);
  EXPECT_EQ(b["refresh_token"], "refresh-1");  // no rotation unless configured
  EXPECT_EQ(r.headers["cache-control"], "no-store");
  const std::string access = b["access_token"];
  auto api = with_token(fake, access, "GET", "/crm/objects/2026-03/leads");
  EXPECT_EQ(api.status, 200) << api.body;
  EXPECT_EQ(stats(fake)["requests"]["POST /oauth/2026-03/token"], 1);
  // Writes with the token are attributed to the OAuth app, not to the --token app.
  const std::string contact = make_object(fake, "contacts");
  json input = {{"properties", {{"hs_lead_name", "OAuth"}}},
                {"associations", json::array({primary(contact, 578)})}};
  auto created = with_token(fake, access, "POST",
                            "/crm/objects/2026-03/leads?propertiesWithHistory=hs_lead_name", input.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  auto state = body_of(fake.admin("GET", "/_fake/leads/" + body_of(created)["id"].get<std::string>()));
  EXPECT_EQ(state["propertiesWithHistory"]["hs_lead_name"][0]["sourceId"], "1235001");
}

TEST(FakeHubspotOAuth, CredentialsOnlyInAFormEncodedBody) {
  auto fake = oauth_fake();
  expect_error(token_request(fake, "", "/oauth/2026-03/token?" + refresh_body("refresh-1"), ""),
               "invalid_request", "BAD_REQUEST");
  // Even with a valid body, a secret in the URL is refused.
  expect_error(token_request(fake, refresh_body("refresh-1"), "/oauth/2026-03/token?client_secret=secret-1"),
               "invalid_request", "BAD_REQUEST");
  json as_json = {{"grant_type", "refresh_token"}, {"client_id", "client-1"}};
  expect_error(token_request(fake, as_json.dump(), "/oauth/2026-03/token", "application/json"),
               "invalid_request", "BAD_REQUEST");
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/oauth"))["issued"], 0);
}

TEST(FakeHubspotOAuth, ErrorBodiesCarryRfc6749AndTheOldFields) {
  auto fake = oauth_fake();
  expect_error(token_request(fake, refresh_body("refresh-1", "wrong")), "invalid_client",
               "BAD_CLIENT_SECRET");
  expect_error(token_request(fake, refresh_body("refresh-1", "secret-1", "nobody")), "invalid_client",
               "BAD_CLIENT_ID");
  auto unknown = token_request(fake, refresh_body("refresh-x"));
  expect_error(unknown, "invalid_grant", "BAD_REFRESH_TOKEN");
  EXPECT_EQ(body_of(unknown)["message"], "missing or unknown refresh token");
  expect_error(token_request(fake, "grant_type=client_credentials&client_id=client-1&client_secret=secret-1"),
               "unsupported_grant_type", "BAD_GRANT_TYPE");
  expect_error(token_request(fake, "client_id=client-1"), "invalid_request", "BAD_GRANT_TYPE");
  // A refresh token of another client is not a grant for this one.
  ASSERT_EQ(fake.admin("POST", "/_fake/oauth/clients",
                       R"({"client_id":"client-2","client_secret":"secret-2","refresh_token":"refresh-2"})")
                .status,
            201);
  expect_error(token_request(fake, refresh_body("refresh-2")), "invalid_grant", "BAD_REFRESH_TOKEN");
  EXPECT_EQ(token_request(fake, refresh_body("refresh-2", "secret-2", "client-2")).status, 200);
}

TEST(FakeHubspotOAuth, RotationRetiresTheOldRefreshToken) {
  auto fake = oauth_fake();
  ASSERT_EQ(fake.admin("POST", "/_fake/config", R"({"oauth_rotate_refresh_tokens":true})").status, 200);
  auto r = token_request(fake, refresh_body("refresh-1"));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string next = body_of(r)["refresh_token"];
  EXPECT_NE(next, "refresh-1");
  expect_error(token_request(fake, refresh_body("refresh-1")), "invalid_grant", "BAD_REFRESH_TOKEN");
  r = token_request(fake, refresh_body(next));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(body_of(r)["refresh_token"], next);
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/oauth"))["refresh_tokens"],
            json::array({body_of(r)["refresh_token"]}));
}

TEST(FakeHubspotOAuth, RevokedRefreshTokenIsAnInvalidGrant) {
  auto fake = oauth_fake();
  auto r = token_request(fake, refresh_body("refresh-1"));
  ASSERT_EQ(r.status, 200);
  const std::string access = body_of(r)["access_token"];
  ASSERT_EQ(fake.admin("POST", "/_fake/oauth/revoke", R"({"refresh_token":"refresh-1"})").status, 204);
  EXPECT_EQ(fake.admin("POST", "/_fake/oauth/revoke", R"({"refresh_token":"refresh-1"})").status, 404);
  expect_error(token_request(fake, refresh_body("refresh-1")), "invalid_grant", "BAD_REFRESH_TOKEN");
  // Access tokens already issued live until they expire.
  EXPECT_EQ(with_token(fake, access, "GET", "/crm/v3/objects/leads").status, 200);
}

TEST(FakeHubspotOAuth, AccessTokensExpire) {
  auto fake = oauth_fake();
  ASSERT_EQ(fake.admin("POST", "/_fake/config", R"({"oauth_access_token_ttl_s":1})").status, 200);
  auto r = token_request(fake, refresh_body("refresh-1"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r)["expires_in"], 1);
  const std::string access = body_of(r)["access_token"];
  EXPECT_EQ(with_token(fake, access, "GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_TRUE(
      eventually([&] { return with_token(fake, access, "GET", "/crm/v3/objects/leads").status == 401; },
                 std::chrono::seconds(3)));
  auto expired = with_token(fake, access, "GET", "/crm/objects/2026-03/leads");
  EXPECT_EQ(body_of(expired)["category"], "EXPIRED_AUTHENTICATION");
  // A fresh token works again; /_fake/oauth/expire ends it at once.
  ASSERT_EQ(fake.admin("POST", "/_fake/config", R"({"oauth_access_token_ttl_s":1800})").status, 200);
  const std::string fresh = body_of(token_request(fake, refresh_body("refresh-1")))["access_token"];
  EXPECT_EQ(with_token(fake, fresh, "GET", "/crm/v3/objects/leads").status, 200);
  ASSERT_EQ(fake.admin("POST", "/_fake/oauth/expire").status, 204);
  EXPECT_EQ(with_token(fake, fresh, "GET", "/crm/v3/objects/leads").status, 401);
  EXPECT_EQ(body_of(fake.admin("GET", "/_fake/oauth"))["live_access_tokens"], 0);
}

TEST(FakeHubspotOAuth, V1TokenEndpointKeepsItsOldForm) {
  auto fake = oauth_fake();
  // v1 took its parameters from the query string too, and its errors have no RFC 6749 fields.
  auto r = token_request(fake, "", "/oauth/v1/token?" + refresh_body("refresh-1"), "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(with_token(fake, body_of(r)["access_token"], "GET", "/crm/v3/objects/leads").status, 200);
  EXPECT_EQ(token_request(fake, refresh_body("refresh-1"), "/oauth/v1/token").status, 200);
  auto bad = token_request(fake, refresh_body("refresh-x"), "/oauth/v1/token");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(body_of(bad)["status"], "BAD_REFRESH_TOKEN");
  EXPECT_FALSE(body_of(bad).contains("error"));
  EXPECT_EQ(stats(fake)["requests"]["POST /oauth/v1/token"], 3);
}

TEST(FakeHubspotOAuth, TokenEndpointCanBeFaulted) {
  auto fake = oauth_fake();
  ASSERT_EQ(fake.admin("POST", "/_fake/faults", R"({"path_prefix":"/oauth/","status":503})").status, 201);
  EXPECT_EQ(token_request(fake, refresh_body("refresh-1")).status, 503);
  EXPECT_EQ(token_request(fake, refresh_body("refresh-1")).status, 200);
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
