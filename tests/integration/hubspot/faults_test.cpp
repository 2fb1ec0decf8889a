// Every fault kind fake-hubspot can inject (POST /_fake/faults), and real rate limiting, against the client.
#include "integration_support.hpp"

namespace leadsync::hubspot::itest {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kLeads = "/crm/v3/objects/leads";

class FaultsIT : public FakeHubspotTest {
 protected:
  // A lead to read, so list calls have something to return.
  void seed() {
    contact_ = new_contact();
    lead_ = run(client.create(lead_input("Seed", contact_)));
    admin("DELETE", "/_fake/stats");
  }
  int list_ok() { return static_cast<int>(run(client.list_page({})).results.size()); }
  int faults_fired() { return stats()["faults_fired"].get<int>(); }

  std::string contact_;
  LeadObject lead_;
};

TEST_F(FaultsIT, ServerErrorsAreRetried) {
  seed();
  for (int status : {500, 502, 503, 504}) {
    fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", status}, {"times", 2}});
    EXPECT_EQ(list_ok(), 1) << status;
  }
  EXPECT_EQ(faults_fired(), 8);
  EXPECT_EQ(route_count("GET /crm/v3/objects/leads"), 12);
}

TEST_F(FaultsIT, ServerErrorsBeyondTheAttemptsAreTransient) {
  seed();
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", 503}, {"times", 10}});
  try {
    run(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_EQ(e.details().http_status, 503);
    EXPECT_EQ(e.details().category, "SERVICE_UNAVAILABLE");
    EXPECT_THAT(e.what(), HasSubstr("gave up after 4 attempts"));
  }
  EXPECT_EQ(faults_fired(), 4);
}

TEST_F(FaultsIT, LockedAndMigrationWaitThenSucceed) {
  seed();
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", 423}});
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", 477}, {"retry_after", 1}});
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(list_ok(), 1);
  // 200 ms locked + Retry-After 1 s, cut to this fixture's max_backoff of 100 ms (a server's wait is bounded
  // by hubspot.retry.max_backoff).
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(300));
  ASSERT_EQ(observer.waits.size(), 2u);
  EXPECT_EQ(observer.waits[0], std::make_pair(std::string("locked"), milliseconds(200)));
  EXPECT_EQ(observer.waits[1], std::make_pair(std::string("migration"), milliseconds(100)));
}

TEST_F(FaultsIT, TenSecondly429IsWaitedOutAndRetried) {
  seed();
  fault({{"method", "GET"},
         {"path_prefix", kLeads},
         {"kind", "rate_limit"},
         {"policy", "TEN_SECONDLY_ROLLING"}});
  EXPECT_EQ(list_ok(), 1);
  EXPECT_EQ(observer.rate_limited["TEN_SECONDLY_ROLLING"], 1);
  ASSERT_EQ(observer.waits.size(), 1u);
  EXPECT_EQ(observer.waits[0].first, "rate_limited:ten_secondly");
  // The 429 carried X-HubSpot-RateLimit-Interval-Milliseconds: 10000, which replaces the configured 1 s
  // window: the wait is the whole window (the rejected request is the only one in it) plus jitter.
  EXPECT_GE(observer.waits[0].second, milliseconds(10'000));
  EXPECT_LE(observer.waits[0].second, milliseconds(10'100));
}

TEST_F(FaultsIT, Secondly429OnSearchWaitsASecond) {
  seed();
  fault({{"method", "POST"},
         {"path_prefix", "/crm/v3/objects/leads/search"},
         {"kind", "rate_limit"},
         {"policy", "SECONDLY"}});
  auto page = run(client.search({}));
  EXPECT_EQ(page.total, 1);
  EXPECT_EQ(observer.rate_limited["SECONDLY"], 1);
  ASSERT_EQ(observer.waits.size(), 1u);
  EXPECT_EQ(observer.waits[0], std::make_pair(std::string("rate_limited:secondly"), milliseconds(1'000)));
}

TEST_F(FaultsIT, Daily429StopsAndSurfacesTheState) {
  seed();
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"kind", "rate_limit"}, {"policy", "DAILY"}});
  try {
    run(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_EQ(e.details().policy, "DAILY");
    ASSERT_TRUE(e.details().retry_after);
  }
  EXPECT_TRUE(limiter.daily_exhausted_until());
  EXPECT_THROW(run(client.list_page({})), core::Error);
  EXPECT_EQ(route_count("GET /crm/v3/objects/leads"), 1);  // the second call never left the client
}

TEST_F(FaultsIT, DelayBeyondTheRequestTimeoutIsRetried) {
  seed();
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"kind", "delay"}, {"delay_ms", 3'000}});
  EXPECT_EQ(list_ok(), 1);
  EXPECT_EQ(observer.statuses[0], 1);  // the timed-out attempt
}

TEST_F(FaultsIT, DroppedAndTruncatedResponsesAreRetried) {
  seed();
  for (const char* kind : {"drop_before_response", "drop_after_headers", "drop_mid_body", "truncated_body"}) {
    fault({{"method", "GET"}, {"path_prefix", kLeads}, {"kind", kind}});
    EXPECT_EQ(list_ok(), 1) << kind;
  }
  EXPECT_EQ(faults_fired(), 4);
  EXPECT_EQ(observer.statuses[200], 4);
}

TEST_F(FaultsIT, InvalidJsonIsRetriedAndThenReportedAsMalformed) {
  seed();
  fault({{"method", "POST"}, {"path_prefix", "/crm/v3/objects/leads/batch/read"}, {"kind", "invalid_json"}});
  auto r = run(client.batch_read({lead_.id}));
  EXPECT_EQ(r.results.size(), 1u);
  fault({{"method", "POST"},
         {"path_prefix", "/crm/v3/objects/leads/batch/read"},
         {"kind", "invalid_json"},
         {"times", 4}});
  try {
    run(client.batch_read({lead_.id}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_transient());
    EXPECT_THAT(e.what(),
                HasSubstr("malformed response from HubSpot for POST /crm/v3/objects/leads/batch/read"));
  }
}

TEST_F(FaultsIT, ValidationStatusIsNeverRetried) {
  seed();
  for (int status : {400, 404, 409}) {
    fault({{"method", "PATCH"}, {"path_prefix", kLeads}, {"status", status}});
    try {
      run(client.update(lead_.id, {{"hs_lead_name", "x"}}));
      FAIL() << status;
    } catch (const core::Error& e) {
      EXPECT_TRUE(e.is_record()) << status;
      EXPECT_EQ(e.details().http_status, status);
    }
  }
  EXPECT_EQ(route_count("PATCH /crm/v3/objects/leads/{id}"), 3);
}

TEST_F(FaultsIT, UnauthorizedAndForbiddenAreFatal) {
  seed();
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", 401}});
  try {
    run(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_THAT(e.what(), Not(HasSubstr("test-token")));
  }
  fault({{"method", "GET"}, {"path_prefix", kLeads}, {"status", 403}});
  try {
    run(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().category, "MISSING_SCOPES");
    EXPECT_THAT(e.what(), HasSubstr("crm.objects.leads.read"));
  }
  EXPECT_EQ(route_count("GET /crm/v3/objects/leads"), 2);
}

class WrongTokenIT : public FakeHubspotTest {
 public:
  static FakeSetup setup() {
    FakeSetup s;
    s.token = "pat-na1-wrong-token-0000";
    return s;
  }
  WrongTokenIT() : FakeHubspotTest(setup()) {}
};

TEST_F(WrongTokenIT, ARefusedTokenIsFatalAndNeverQuoted) {
  try {
    run(client.list_page({}));
    FAIL();
  } catch (const core::Error& e) {
    EXPECT_TRUE(e.is_fatal());
    EXPECT_EQ(e.details().category, "INVALID_AUTHENTICATION");
    EXPECT_THAT(e.what(), Not(HasSubstr("pat-na1-wrong-token-0000")));
  }
}

TEST_F(FaultsIT, AmbiguousCreateWithoutUniqueKeyIsInDoubt) {
  seed();
  // The request is applied, then the connection drops: the lead exists but the client cannot know.
  fault({{"method", "POST"}, {"path_prefix", kLeads}, {"kind", "drop_after_headers"}, {"execute", true}});
  try {
    run(client.create(lead_input("Maybe", contact_)));
    FAIL();
  } catch (const InDoubtError& e) {
    EXPECT_EQ(e.trace_ids().size(), 1u);
  }
  EXPECT_EQ(route_count("POST /crm/v3/objects/leads"), 1);  // not retried
  EXPECT_EQ(stats()["leads"].get<int>(), 2);
}

class UniqueKeyIT : public FakeHubspotTest {
 public:
  static FakeSetup setup() {
    FakeSetup s;
    s.client.unique_key_property = "leadsync_key";
    return s;
  }
  UniqueKeyIT() : FakeHubspotTest(setup()) {}

  LeadCreateInput keyed(const std::string& name, const std::string& key, const std::string& contact) {
    auto in = lead_input(name, contact);
    in.properties["leadsync_key"] = key;
    return in;
  }
};

TEST_F(UniqueKeyIT, AmbiguousBatchCreateIsReadBackAndNeverDuplicated) {
  run(client.create_property(HubSpotClient::unique_key_definition("leadsync_key", "leadsync key")));
  const std::string contact = new_contact();
  fault({{"method", "POST"},
         {"path_prefix", "/crm/v3/objects/leads/batch/create"},
         {"kind", "drop_mid_body"},
         {"execute", true}});
  auto r = run(client.batch_create({keyed("A", "ka", contact), keyed("B", "kb", contact)}));
  ASSERT_EQ(r.results.size(), 2u);
  EXPECT_TRUE(r.errors.empty());
  for (const auto& l : r.results) EXPECT_TRUE(l.object_write_trace_id);
  EXPECT_EQ(route_count("POST /crm/v3/objects/leads/batch/create"),
            1);  // found by the read-back: no re-create
  EXPECT_EQ(route_count("POST /crm/v3/objects/leads/batch/read"), 1);
  EXPECT_EQ(stats()["leads"].get<int>(), 2);
}

TEST_F(UniqueKeyIT, CreateLostBeforeHubSpotAppliedItIsRecreatedOnce) {
  run(client.create_property(HubSpotClient::unique_key_definition("leadsync_key", "leadsync key")));
  const std::string contact = new_contact();
  fault({{"method", "POST"}, {"path_prefix", kLeads}, {"status", 502}});  // not applied
  auto lead = run(client.create(keyed("C", "kc", contact)));
  EXPECT_EQ(lead.property("leadsync_key"), "kc");
  EXPECT_EQ(route_count("POST /crm/v3/objects/leads"), 2);
  EXPECT_EQ(route_count("POST /crm/v3/objects/leads/batch/read"), 1);
  EXPECT_EQ(stats()["leads"].get<int>(), 1);
}

class RateLimitedIT : public FakeHubspotTest {
 public:
  static FakeSetup setup() {
    FakeSetup s;
    s.fake_args = {"--rate-limit-per-10s", "10"};
    s.limits = RateLimitOptions{};
    s.limits.requests_per_10s = 100;  // more than the portal allows: the headers must bring it down
    return s;
  }
  RateLimitedIT() : FakeHubspotTest(setup()) {}
};

TEST_F(RateLimitedIT, FollowsTheServersMaxHeaderWithoutA429) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 15; ++i) run(client.list_page({}));
  EXPECT_EQ(stats()["rate_limited"].get<int>(), 0);
  EXPECT_EQ(limiter.capacity(RatePolicy::ten_secondly), 10);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(10'000));
  ASSERT_TRUE(observer.last_budget.ten_secondly_max);
  EXPECT_EQ(*observer.last_budget.ten_secondly_max, 10);
}

}  // namespace
}  // namespace leadsync::hubspot::itest
