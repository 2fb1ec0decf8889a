// /_fake/deprecation: Deprecation / Sunset / Link headers on the API routes of one version (or all),
// never on admin routes; bad bodies refused with nothing changed; a reset forgets the notices.
#include "helpers.hpp"

namespace leadsync::fake_hubspot_test {
namespace {

std::string header(const SimpleResponse& r, const std::string& name) {
  auto it = r.headers.find(name);
  return it == r.headers.end() ? std::string("<none>") : it->second;
}

TEST(FakeHubspotDeprecation, HeadersGoOnTheRoutesOfTheNamedVersionOnly) {
  FakeHubspot fake;
  auto set = fake.admin("POST", "/_fake/deprecation",
                        R"({"version":"2026-03","deprecation":"@1735689600",)"
                        R"("sunset":"Thu, 30 Sep 2027 00:00:00 GMT",)"
                        R"("link":"<https://developers.hubspot.com/changelog>; rel=\"deprecation\""})");
  ASSERT_EQ(set.status, 201) << set.body;
  auto dated = fake.api("GET", "/crm/objects/2026-03/leads?limit=1");
  ASSERT_EQ(dated.status, 200) << dated.body;
  EXPECT_EQ(header(dated, "deprecation"), "@1735689600");
  EXPECT_EQ(header(dated, "sunset"), "Thu, 30 Sep 2027 00:00:00 GMT");
  EXPECT_EQ(header(dated, "link"), R"(<https://developers.hubspot.com/changelog>; rel="deprecation")");
  // Errors of that version carry them too; other versions and the admin routes do not.
  EXPECT_EQ(header(fake.api("GET", "/crm/objects/2026-03/leads/1"), "sunset"),
            "Thu, 30 Sep 2027 00:00:00 GMT");
  EXPECT_EQ(header(fake.api("GET", "/crm/properties/2026-03/leads"), "deprecation"), "@1735689600");
  EXPECT_EQ(header(fake.api("GET", "/crm/objects/2026-09/leads?limit=1"), "deprecation"), "<none>");
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "deprecation"), "<none>");
  EXPECT_EQ(header(fake.admin("GET", "/_fake/stats"), "deprecation"), "<none>");
  EXPECT_EQ(header(fake.api("GET", "/no/such/route"), "deprecation"), "<none>");

  // "*" covers every version; a version's own notice still wins.
  ASSERT_EQ(fake.admin("POST", "/_fake/deprecation", R"({"version":"*","deprecation":"true"})").status, 201);
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "deprecation"), "true");
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "sunset"), "<none>");
  EXPECT_EQ(header(fake.api("GET", "/crm/objects/2026-03/leads?limit=1"), "deprecation"), "@1735689600");
  auto listed = body_of(fake.admin("GET", "/_fake/deprecation"));
  EXPECT_EQ(listed["results"].size(), 2u) << listed.dump();

  EXPECT_EQ(fake.admin("DELETE", "/_fake/deprecation").status, 204);
  EXPECT_EQ(header(fake.api("GET", "/crm/objects/2026-03/leads?limit=1"), "deprecation"), "<none>");
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "deprecation"), "<none>");
}

TEST(FakeHubspotDeprecation, HostileValuesAreSentAsGivenAndFramingBreakersRefused) {
  FakeHubspot fake;
  const std::string huge(20000, 'x');
  json body = {{"version", "legacy"}, {"deprecation", "@99999999999999999999999"}, {"sunset", huge}};
  ASSERT_EQ(fake.admin("POST", "/_fake/deprecation", body.dump()).status, 201);
  auto r = fake.api("GET", "/crm/v3/objects/leads?limit=1");
  EXPECT_EQ(header(r, "deprecation"), "@99999999999999999999999");
  EXPECT_EQ(header(r, "sunset"), huge);

  // Each refused with 400, and the notice set above stays.
  for (const std::string bad :
       {R"({"version":"legacy","sunset":"a\r\nX-Injected: 1"})",
        R"({"version":"legacy","sunset":"a\u0000b"})", R"({"version":"2025-09","deprecation":"true"})",
        R"({"deprecation":"true"})", R"({"version":"legacy"})", R"({"version":"legacy","deprecation":true})",
        R"({"version":"legacy","deprecation":"true","retire":"now"})", "[1]"}) {
    SCOPED_TRACE(bad);
    auto refused = fake.admin("POST", "/_fake/deprecation", bad);
    EXPECT_EQ(refused.status, 400) << refused.body;
  }
  json too_long = {{"version", "legacy"}, {"link", std::string(40000, 'l')}};
  EXPECT_EQ(fake.admin("POST", "/_fake/deprecation", too_long.dump()).status, 400);
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "deprecation"),
            "@99999999999999999999999");

  ASSERT_EQ(fake.admin("POST", "/_fake/reset").status, 200);
  EXPECT_EQ(header(fake.api("GET", "/crm/v3/objects/leads?limit=1"), "deprecation"), "<none>");
}

}  // namespace
}  // namespace leadsync::fake_hubspot_test
