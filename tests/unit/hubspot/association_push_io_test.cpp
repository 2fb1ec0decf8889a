// HubSpotLeadsRemote::change_associations against a scripted HubSpot: the batch calls it makes, in which
// order, and how per-input errors, failed calls and fatal errors reach the per-lead results.
#include "leadsync/hubspot/leads_remote.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

core::SyncMapping mapping() {
  core::SyncMapping m;
  m.associations = {{"contacts", {578, 608}}, {"companies", {580, 610}}};
  return m;
}

core::AssociationKey contact(const std::string& id, int type) {
  return {"contacts", id, type};
}
core::AssociationKey company(const std::string& id, int type) {
  return {"companies", id, type};
}

// The kind of association call a request is, from its target (paths differ between API versions).
std::string kind_of(const http::Request& r) {
  const std::string type = r.target.find("companies") != std::string::npos ? "companies" : "contacts";
  for (const char* k : {"batch/read", "batch/create", "batch/labels/archive", "batch/archive", "/labels"})
    if (r.target.find(k) != std::string::npos) return std::string(k) + " " + type;
  return r.method + " " + r.target;
}

// A small HubSpot for the association routes: what each lead has now, and answers to override.
struct Portal {
  // lead -> [{toObjectId, [typeId]}] per target type
  std::map<std::string, std::map<std::string, std::vector<std::pair<std::string, std::vector<int>>>>> now;
  std::set<std::string> create_refused;             // lead ids whose create inputs get a per-input error
  std::map<std::string, http::Response> overrides;  // kind -> response
  std::set<std::string> read_refused;               // lead ids the batch read reports an error for

  http::Response answer(const http::Request& r) {
    const std::string kind = kind_of(r);
    if (auto it = overrides.find(kind); it != overrides.end()) return it->second;
    http::Response resp;
    resp.status = 200;
    const Json body = r.body.empty() ? Json() : Json::parse(r.body);
    const bool contacts = kind.ends_with("contacts");
    if (kind.starts_with("/labels")) {
      Json results = Json::array();
      for (auto [id, cat] :
           contacts ? std::vector<std::pair<int, std::string>>{{578, "HUBSPOT_DEFINED"},
                                                               {608, "HUBSPOT_DEFINED"},
                                                               {101, "USER_DEFINED"}}
                    : std::vector<std::pair<int, std::string>>{
                          {580, "HUBSPOT_DEFINED"}, {610, "HUBSPOT_DEFINED"}, {103, "USER_DEFINED"}})
        results.push_back({{"category", cat}, {"typeId", id}, {"label", nullptr}});
      resp.body = Json{{"results", results}}.dump();
    } else if (kind.starts_with("batch/read")) {
      Json results = Json::array(), errors = Json::array();
      for (const auto& in : body["inputs"]) {
        const std::string id = in["id"];
        if (read_refused.contains(id)) {
          errors.push_back({{"status", "error"},
                            {"category", "OBJECT_NOT_FOUND"},
                            {"message", "Lead " + id + " is gone"},
                            {"context", {{"fromObjectId", {id}}}}});
          continue;
        }
        Json to = Json::array();
        for (const auto& [to_id, types] : now[id][contacts ? "contacts" : "companies"]) {
          Json t = Json::array();
          for (int x : types)
            t.push_back({{"category", "HUBSPOT_DEFINED"}, {"typeId", x}, {"label", nullptr}});
          to.push_back({{"toObjectId", std::stoll(to_id)}, {"associationTypes", t}});
        }
        results.push_back({{"from", {{"id", id}}}, {"to", to}});
      }
      resp.status = errors.empty() ? 200 : 207;
      resp.body = batch_json(results, errors);
    } else if (kind.starts_with("batch/create")) {
      Json results = Json::array(), errors = Json::array();
      for (const auto& in : body["inputs"]) {
        const std::string from = in["from"]["id"], to = in["to"]["id"];
        if (create_refused.contains(from))
          errors.push_back({{"status", "error"},
                            {"category", "VALIDATION_ERROR"},
                            {"message", "refused"},
                            {"context", {{"fromObjectId", {from}}, {"toObjectId", {to}}}}});
        else
          results.push_back({{"fromObjectTypeId", "0-136"},
                             {"fromObjectId", std::stoll(from)},
                             {"toObjectTypeId", "0-1"},
                             {"toObjectId", std::stoll(to)},
                             {"labels", Json::array()}});
      }
      resp.status = errors.empty() ? 201 : 207;
      resp.body = batch_json(results, errors);
    } else {
      resp.status = 204;
    }
    return resp;
  }
};

class AssociationPushIoTest : public ClientFixture {
 protected:
  AssociationPushIoTest() : remote(client, mapping(), nullptr) {
    for (int i = 0; i < 40; ++i)
      transport.handle([this](const http::Request& r) { return portal.answer(r); });
  }
  std::vector<std::string> kinds() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) out.push_back(kind_of(r));
    return out;
  }
  const http::Request& first(const std::string& kind) const {
    for (const auto& r : transport.requests())
      if (kind_of(r) == kind) return r;
    throw std::runtime_error("no " + kind + " request");
  }

  Portal portal;
  HubSpotLeadsRemote remote;
};

TEST_F(AssociationPushIoTest, ManyLeadsTakeOneCallPerPhaseAndTargetTypeAddsFirst) {
  portal.now["1"]["contacts"] = {{"7", {578, 608}}};
  portal.now["3"]["companies"] = {{"9", {580, 610}}};
  std::vector<core::AssociationChange> changes{
      // Primary contact moves from 7 to 8.
      {"1",
       {contact("8", 578), contact("8", 608)},
       {contact("7", 578)},
       {contact("7", 608), contact("8", 578)}},
      {"2", {contact("8", 608)}, {}, {contact("8", 608)}},
      {"3", {}, {company("9", 580), company("9", 610)}, {}},
  };
  auto results = run_sync(remote.change_associations(changes));
  ASSERT_EQ(results.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(results[i].ok) << i << ": " << (results[i].error ? results[i].error->what() : "");
    EXPECT_EQ(results[i].ref, changes[i].hubspot_id);
  }
  EXPECT_THAT(kinds(), ElementsAre("batch/read companies", "batch/read contacts", "/labels companies",
                                   "/labels contacts", "batch/create contacts",
                                   "batch/labels/archive contacts", "batch/archive companies"));
  const Json create = body_of(first("batch/create contacts"));
  ASSERT_EQ(create["inputs"].size(), 2u) << "both leads' adds in one call";
  const Json labels = body_of(first("batch/labels/archive contacts"));
  EXPECT_EQ(labels["inputs"], Json::parse(R"([{"from":{"id":"1"},"to":{"id":"7"},
      "types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":578}]}])"));
}

TEST_F(AssociationPushIoTest, APairWithAnUnmappedLabelLosesOnlyItsMappedLabels) {
  portal.now["3"]["companies"] = {{"9", {580, 610, 103}}};
  auto results =
      run_sync(remote.change_associations({{"3", {}, {company("9", 580), company("9", 610)}, {}}}));
  ASSERT_TRUE(results.at(0).ok);
  EXPECT_THAT(kinds(),
              ElementsAre("batch/read companies", "/labels companies", "batch/labels/archive companies"));
  EXPECT_EQ(body_of(first("batch/labels/archive companies"))["inputs"][0]["types"],
            Json::parse(R"([{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":580}])"));
}

TEST_F(AssociationPushIoTest, APerInputCreateErrorFailsThatLeadAndHoldsItsRemovals) {
  portal.now["1"]["contacts"] = {{"7", {578, 608}}};
  portal.create_refused = {"1"};
  auto results = run_sync(remote.change_associations({
      {"1", {contact("8", 578)}, {contact("7", 578)}, {contact("7", 608), contact("8", 578)}},
      {"2", {contact("8", 608)}, {}, {contact("8", 608)}},
  }));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_FALSE(results[0].ok);
  ASSERT_TRUE(results[0].error);
  EXPECT_TRUE(results[0].error->is_record());
  EXPECT_THAT(results[0].error->what(), HasSubstr("VALIDATION_ERROR"));
  EXPECT_TRUE(results[1].ok);
  for (const auto& k : kinds())
    EXPECT_EQ(k.find("archive"), std::string::npos) << "the old primary stays while the new one is not there";
}

TEST_F(AssociationPushIoTest, ALeadWhoseAssociationsCannotBeReadIsNotWritten) {
  portal.read_refused = {"1"};
  auto results = run_sync(remote.change_associations({
      {"1", {contact("8", 608)}, {}, {contact("8", 608)}},
      {"2", {contact("8", 608)}, {}, {contact("8", 608)}},
  }));
  EXPECT_FALSE(results.at(0).ok);
  EXPECT_TRUE(results.at(1).ok);
  EXPECT_EQ(body_of(first("batch/create contacts"))["inputs"].size(), 1u);
  EXPECT_EQ(body_of(first("batch/create contacts"))["inputs"][0]["from"]["id"], "2");
}

TEST_F(AssociationPushIoTest, AFailedCallFailsTheChangesItCarriedOnly) {
  portal.now["3"]["companies"] = {{"9", {580, 610}}};
  portal.overrides["batch/archive companies"] =
      http::Response{400, {}, error_json("VALIDATION_ERROR", "bad input")};
  auto results = run_sync(remote.change_associations({
      {"2", {contact("8", 608)}, {}, {contact("8", 608)}},
      {"3", {}, {company("9", 580)}, {}},
  }));
  EXPECT_TRUE(results.at(0).ok);
  EXPECT_FALSE(results.at(1).ok);
  EXPECT_TRUE(results.at(1).error->is_record());
}

TEST_F(AssociationPushIoTest, AFatalErrorPropagates) {
  portal.overrides["batch/create contacts"] = http::Response{403, {}, error_json("MISSING_SCOPES", "no")};
  EXPECT_THROW(
      {
        try {
          run_sync(remote.change_associations({{"2", {contact("8", 608)}, {}, {contact("8", 608)}}}));
        } catch (const core::Error& e) {
          EXPECT_TRUE(e.is_fatal());
          throw;
        }
      },
      core::Error);
}

TEST_F(AssociationPushIoTest, LabelCategoriesAreReadOncePerTargetType) {
  run_sync(remote.change_associations({{"2", {contact("8", 608)}, {}, {contact("8", 608)}}}));
  run_sync(remote.change_associations({{"2", {contact("9", 608)}, {}, {contact("9", 608)}}}));
  EXPECT_THAT(kinds(), ElementsAre("batch/read contacts", "/labels contacts", "batch/create contacts",
                                   "batch/read contacts", "batch/create contacts"));
}

TEST_F(AssociationPushIoTest, NothingToSendSendsNothing) {
  auto results = run_sync(remote.change_associations({}));
  EXPECT_THAT(results, IsEmpty());
  EXPECT_THAT(kinds(), IsEmpty());
}

}  // namespace
}  // namespace leadsync::hubspot::test
