// search_modified_window against a scripted HubSpot that computes search pages from a synthetic dataset,
// enforcing the 10,000-result cap with a 400 as HubSpot does.
#include <set>

#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

struct Row {
  std::int64_t id;
  std::int64_t modified_ms;
};

struct FakeSearchIndex {
  std::vector<Row> rows;
  bool paging_stops_at_cap = false;  // answer like fake-hubspot: no paging.next once 10,000 are served
  bool after_stuck = false;          // a broken server: paging.next.after repeats the offset it was given
  bool ignores_id_filter = false;    // a broken server: the restart's hs_object_id GT filter has no effect
  int requests = 0;
  int rejected = 0;

  http::Response operator()(const http::Request& r) {
    ++requests;
    http::Response resp;
    const Json body = Json::parse(r.body);
    std::optional<std::int64_t> gte, lte, gt_id;
    for (const auto& f : body["filterGroups"].at(0)["filters"]) {
      const std::string prop = f["propertyName"], op = f["operator"];
      const std::int64_t v = std::stoll(f["value"].get<std::string>());
      if (prop == "hs_lastmodifieddate" && op == "GTE")
        gte = v;
      else if (prop == "hs_lastmodifieddate" && op == "LTE")
        lte = v;
      else if (prop == "hs_object_id" && op == "GT")
        gt_id = ignores_id_filter ? std::nullopt : std::optional<std::int64_t>(v);
      else
        ADD_FAILURE() << "unexpected filter " << f.dump();
    }
    EXPECT_EQ(body["sorts"], Json::parse(R"([{"propertyName":"hs_object_id","direction":"ASCENDING"}])"));
    const std::int64_t offset = std::stoll(body["after"].get<std::string>());
    const std::int64_t limit = body["limit"];
    EXPECT_EQ(limit, 200);
    if (offset >= 10'000) {  // HubSpot: paging beyond 10,000 results is a 400
      ++rejected;
      resp.status = 400;
      resp.body = error_json("VALIDATION_ERROR", "paging beyond 10000 results is not supported");
      return resp;
    }
    std::vector<Row> match;
    for (const auto& row : rows)
      if ((!gte || row.modified_ms >= *gte) && (!lte || row.modified_ms <= *lte) &&
          (!gt_id || row.id > *gt_id))
        match.push_back(row);
    std::sort(match.begin(), match.end(), [](const Row& a, const Row& b) { return a.id < b.id; });
    Json results = Json::array();
    for (std::int64_t i = offset; i < std::min<std::int64_t>(offset + limit, match.size()); ++i)
      results.push_back(lead_json(std::to_string(match[i].id),
                                  {{"hs_lastmodifieddate", std::to_string(match[i].modified_ms)}}));
    Json out{{"total", match.size()}, {"results", results}};
    const bool at_cap = offset + limit >= 10'000;
    if (offset + limit < static_cast<std::int64_t>(match.size()) && !(paging_stops_at_cap && at_cap))
      out["paging"] = {{"next", {{"after", std::to_string(after_stuck ? offset : offset + limit)}}}};
    resp.status = 200;
    resp.body = out.dump();
    return resp;
  }
};

class SearchWindowTest : public ClientFixture {
 public:
  // Runs the window search, collecting every id delivered (and checking none comes twice).
  SearchWindowStats run(FakeSearchIndex& index, std::int64_t from, std::int64_t to,
                        std::vector<std::string>& ids) {
    for (int i = 0; i < 400; ++i) transport.handle(std::ref(index));
    std::set<std::string> seen;
    auto stats = run_sync(client.search_modified_window(
        from, to, {"hs_lead_name"}, [&](std::vector<LeadObject> page) -> net::awaitable<void> {
          for (auto& l : page) {
            EXPECT_TRUE(seen.insert(l.id).second) << "duplicate " << l.id;
            ids.push_back(l.id);
          }
          co_return;
        }));
    return stats;
  }
};

// Issue: a cursor that never advances paged through the same results until the daily budget was gone.
TEST_F(SearchWindowTest, APagingCursorThatDoesNotAdvanceStopsTheSearch) {
  FakeSearchIndex index;
  index.after_stuck = true;
  for (std::int64_t i = 1; i <= 1'000; ++i) index.rows.push_back({i, 5});
  for (int i = 0; i < 50; ++i) transport.handle(std::ref(index));
  try {
    run_sync(client.search_modified_window(
        0, 10, {"hs_lead_name"}, [](std::vector<LeadObject>) -> net::awaitable<void> { co_return; }));
    FAIL() << "the search did not stop";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::transient);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("does not advance"));
  }
  EXPECT_EQ(index.requests, 2);
}

TEST_F(SearchWindowTest, ARestartThatReturnsNoHigherIdStopsTheSearch) {
  FakeSearchIndex index;
  index.ignores_id_filter = true;
  for (std::int64_t i = 1; i <= 12'000; ++i) index.rows.push_back({i, 5});
  for (int i = 0; i < 400; ++i) transport.handle(std::ref(index));
  try {
    run_sync(client.search_modified_window(
        0, 10, {"hs_lead_name"}, [](std::vector<LeadObject>) -> net::awaitable<void> { co_return; }));
    FAIL() << "the search did not stop";
  } catch (const core::Error& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::transient);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("returned none above it"));
  }
  EXPECT_EQ(index.requests, 100);  // two queries of 50 pages, then the stop
}

TEST_F(SearchWindowTest, MoreThanTenThousandLeadsWithOneTimestampTerminate) {
  FakeSearchIndex index;
  for (std::int64_t i = 1; i <= 25'000; ++i) index.rows.push_back({1000 + i * 3, 1'767'225'600'000});
  std::vector<std::string> ids;
  auto stats = run(index, 1'767'225'600'000, 1'767'225'600'000, ids);
  EXPECT_EQ(ids.size(), 25'000u);
  EXPECT_EQ(stats.results, 25'000);
  EXPECT_EQ(stats.restarts, 2);
  EXPECT_EQ(stats.pages, 125);
  EXPECT_EQ(index.requests, 125);
  EXPECT_EQ(index.rejected, 0);
  // The second query starts above the 10,000th id.
  const Json second = body_of(request(50));
  EXPECT_EQ(second["after"], "0");
  EXPECT_EQ(second["filterGroups"][0]["filters"][2],
            Json::parse(R"({"propertyName":"hs_object_id","operator":"GT","value":")" +
                        std::to_string(1000 + 10'000 * 3) + "\"}"));
  // Search calls went through the search bucket: 5 per second.
  EXPECT_GE(clock.total_slept(), milliseconds(24'000));
}

TEST_F(SearchWindowTest, RestartsWhenPagingStopsAtTheCapButTotalSaysMore) {
  FakeSearchIndex index;
  index.paging_stops_at_cap = true;
  for (std::int64_t i = 1; i <= 20'500; ++i) index.rows.push_back({i, 7});
  std::vector<std::string> ids;
  auto stats = run(index, 7, 7, ids);
  EXPECT_EQ(ids.size(), 20'500u);
  EXPECT_EQ(stats.restarts, 2);
  EXPECT_EQ(index.rejected, 0);
}

TEST_F(SearchWindowTest, ExactlyTenThousandNeedsNoRestart) {
  FakeSearchIndex index;
  for (std::int64_t i = 1; i <= 10'000; ++i) index.rows.push_back({i, 5});
  std::vector<std::string> ids;
  auto stats = run(index, 0, 10, ids);
  EXPECT_EQ(ids.size(), 10'000u);
  EXPECT_EQ(stats.restarts, 0);
  EXPECT_EQ(stats.pages, 50);
}

TEST_F(SearchWindowTest, TenThousandAndOneRestartsOnce) {
  FakeSearchIndex index;
  for (std::int64_t i = 1; i <= 10'001; ++i) index.rows.push_back({i, 5});
  std::vector<std::string> ids;
  auto stats = run(index, 0, 10, ids);
  EXPECT_EQ(ids.size(), 10'001u);
  EXPECT_EQ(stats.restarts, 1);
  EXPECT_EQ(ids.back(), "10001");
  EXPECT_EQ(index.rejected, 0);
}

TEST_F(SearchWindowTest, OnlyLeadsInsideTheWindowAreReturnedAcrossRestarts) {
  FakeSearchIndex index;
  // 30,000 leads, timestamps cycling 0..9; window [3, 6] keeps 12,000 of them.
  for (std::int64_t i = 1; i <= 30'000; ++i) index.rows.push_back({i, i % 10});
  std::vector<std::string> ids;
  auto stats = run(index, 3, 6, ids);
  EXPECT_EQ(ids.size(), 12'000u);
  EXPECT_EQ(stats.restarts, 1);
  for (const auto& id : ids) {
    const auto m = std::stoll(id) % 10;
    ASSERT_TRUE(m >= 3 && m <= 6) << id;
  }
  const Json first = body_of(request(0));
  EXPECT_EQ(first["filterGroups"][0]["filters"], Json::parse(R"([
      {"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"3"},
      {"propertyName":"hs_lastmodifieddate","operator":"LTE","value":"6"}])"));
  EXPECT_EQ(first["properties"], Json::parse(R"(["hs_lead_name"])"));
}

TEST_F(SearchWindowTest, EmptyWindowIsOneCall) {
  FakeSearchIndex index;
  std::vector<std::string> ids;
  auto stats = run(index, 0, 10, ids);
  EXPECT_TRUE(ids.empty());
  EXPECT_EQ(stats.pages, 1);
  EXPECT_EQ(index.requests, 1);
}

}  // namespace
}  // namespace leadsync::hubspot::test
