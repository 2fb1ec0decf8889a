// Bodies nested 100,000 levels deep in every kind of HubSpot response: a clear error, never a crash. Decoding
// such a tree recursed once per level (dump() of a property value or of an error's context) and overflowed
// the stack.
#include "json_codec.hpp"
#include "lead_page_reader.hpp"
#include "test_support.hpp"

namespace leadsync::hubspot::test {
namespace {

using ::testing::HasSubstr;

constexpr std::size_t kLevels = 100'000;

std::string deep_array() {
  return std::string(kLevels, '[') + std::string(kLevels, ']');
}

std::string deep_property_page() {
  return R"({"results":[{"id":"1","properties":{"hs_lead_name":)" + deep_array() + "}}]}";
}

class DeepJsonTest : public ClientFixture {
 protected:
  // The error a call ends with once its retries are used up.
  template <typename T>
  std::string error_of(net::awaitable<T> call) {
    try {
      run_sync(std::move(call));
    } catch (const core::Error& e) {
      return e.what();
    }
    ADD_FAILURE() << "expected an error";
    return {};
  }
  void respond_every_attempt(int status, const std::string& body) {
    for (int i = 0; i < client.options().retry.max_attempts; ++i) transport.respond(status, body);
  }
};

TEST_F(DeepJsonTest, AListPageNestedTooDeepIsAMalformedResponse) {
  respond_every_attempt(200, R"({"results":)" + deep_array() + "}");
  const auto what = error_of(client.list_page(ListRequest{}));
  EXPECT_THAT(what, HasSubstr("malformed response from HubSpot for GET /crm/v3/objects/leads"));
  EXPECT_THAT(what, HasSubstr("deeper than 64 levels"));
}

TEST_F(DeepJsonTest, APropertyValueNestedTooDeepInAListPageIsAMalformedResponse) {
  respond_every_attempt(200, deep_property_page());
  EXPECT_THAT(error_of(client.list_page(ListRequest{})), HasSubstr("deeper than 64 levels"));
}

TEST_F(DeepJsonTest, APropertyValueNestedTooDeepInASingleLeadIsAMalformedResponse) {
  respond_every_attempt(200, R"({"id":"1","properties":{"hs_lead_name":)" + deep_array() + "}}");
  EXPECT_THAT(error_of(client.get_lead("1")), HasSubstr("deeper than 64 levels"));
}

TEST_F(DeepJsonTest, ABatchAnswerNestedTooDeepIsAMalformedResponse) {
  respond_every_attempt(200, deep_property_page());
  EXPECT_THAT(error_of(client.batch_read({"1"})), HasSubstr("deeper than 64 levels"));
}

TEST_F(DeepJsonTest, ASearchAnswerNestedTooDeepIsAMalformedResponse) {
  respond_every_attempt(200, R"({"total":1,)" + deep_property_page().substr(1));
  EXPECT_THAT(error_of(client.search(SearchRequest{})), HasSubstr("deeper than 64 levels"));
}

TEST_F(DeepJsonTest, AnErrorBodyWithADeepContextIsReportedWithoutReadingIt) {
  transport.respond(400,
                    R"({"status":"error","message":"bad","category":"VALIDATION_ERROR","context":{"x":)" +
                        deep_array() + "}}");
  const auto what = error_of(client.update("1", {{"hs_lead_name", "x"}}));
  EXPECT_THAT(what, HasSubstr("HubSpot refused PATCH /crm/v3/objects/leads/{id} (400)"));
  EXPECT_THAT(what, HasSubstr("error body nests arrays/objects deeper than 64 levels"));
}

TEST_F(DeepJsonTest, ABatchErrorWithADeepContextIsAMalformedResponse) {
  const Json error{{"status", "error"}, {"category", "VALIDATION_ERROR"}, {"message", "bad"}};
  std::string body = batch_json(Json::array(), Json::array({error}));
  body.insert(body.find(R"("message")"), R"("context":{"x":)" + deep_array() + "},");
  respond_every_attempt(207, body);
  EXPECT_THAT(error_of(client.batch_read({"1"})), HasSubstr("deeper than 64 levels"));
}

TEST(JsonDepth, CountsContainersOutsideStringsOnly) {
  EXPECT_TRUE(detail::json_depth_within(R"({"a":[1,{"b":[]}]})", 4));
  EXPECT_FALSE(detail::json_depth_within(R"({"a":[1,{"b":[]}]})", 3));
  EXPECT_TRUE(detail::json_depth_within(R"({"a":"[[[[[\"[[[["})", 1));
  EXPECT_TRUE(detail::json_depth_within(std::string(64, '[') + std::string(64, ']')));
  EXPECT_FALSE(detail::json_depth_within(std::string(65, '[')));
}

TEST(JsonDepth, TheFastPageReaderRefusesADeepBodyForTheTreeDecoderToName) {
  const std::string skipped = R"({"results":[],"unused":)" + deep_array() + "}";
  EXPECT_FALSE(detail::read_lead_page(skipped, nullptr));
  EXPECT_FALSE(detail::read_lead_page(deep_property_page(), nullptr));
  EXPECT_THROW(detail::parse_json(skipped), detail::MalformedResponse);
}

}  // namespace
}  // namespace leadsync::hubspot::test
