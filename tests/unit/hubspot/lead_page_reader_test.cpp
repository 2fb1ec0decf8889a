// The fast page reader (lead_page_reader.hpp) against the tree decoder (json_codec.hpp): for every body the
// reader accepts, both must give the same leads and cursor; every body of another shape must be left to the
// tree decoder.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "json_codec.hpp"
#include "lead_page_reader.hpp"

namespace leadsync::hubspot::detail {
namespace {

const std::vector<std::string> kTypes = {"contacts", "companies"};

std::string show(const std::optional<std::string>& v) {
  return v ? "'" + *v + "'" : "null";
}

std::string describe(const std::vector<LeadObject>& leads, const std::optional<std::string>& after) {
  std::ostringstream out;
  for (const auto& o : leads) {
    out << "id=" << o.id << " created=" << o.created_at << " updated=" << o.updated_at
        << " archived=" << o.archived << " archived_at=" << show(o.archived_at)
        << " trace=" << show(o.object_write_trace_id) << " unresolved=" << o.associations_unresolved
        << " history=" << o.history.size() << "\n";
    for (const auto& [k, v] : o.properties) out << "  " << k << "=" << show(v) << "\n";
    if (!o.associations) {
      out << "  associations: none\n";
      continue;
    }
    for (const auto& [type, list] : *o.associations) {
      out << "  " << type << ":";
      for (const auto& a : list) {
        out << " " << a.to_id << "[";
        for (int t : a.type_ids) out << t << ",";
        out << "]";
      }
      out << "\n";
    }
  }
  out << "after=" << show(after);
  return out.str();
}

// The tree decoder's reading, or its error.
std::string tree(const std::string& body, const std::vector<std::string>* requested) {
  try {
    const Json j = parse_json(body);
    return describe(decode_leads(req_array(j, "results", "list response"), requested), decode_next_after(j));
  } catch (const MalformedResponse& e) {
    return std::string("error: ") + e.what();
  }
}

std::string fast(const std::string& body, const std::vector<std::string>* requested) {
  auto page = read_lead_page(body, requested);
  return page ? describe(page->results, page->next_after) : "refused";
}

// A page as HubSpot (and fake-hubspot) sends it for GET
// /crm/v3/objects/leads?associations=contacts,companies.
const std::string kPage = R"({"results":[
  {"id":"5000000001","properties":{"hs_createdate":"2026-01-01T00:00:00.000Z","hs_lastmodifieddate":"2026-01-02T00:00:00.000Z",
     "hs_lead_name":"Ann \"the\" Lead \\ \u00e9","hs_lead_label":null,"hs_object_id":"5000000001"},
   "createdAt":"2026-01-01T00:00:00.000Z","updatedAt":"2026-01-02T00:00:00.000Z","archived":false,
   "associations":{"contacts":{"results":[{"id":"101","type":"lead_to_primary_contact"},{"id":"101","type":"lead_to_contact"}]},
                   "companies":{"results":[{"id":"201","type":"lead_to_company"}]}},
   "url":"https://app.hubspot.com/x","extra":{"nested":[1,2.5,{"a":null}],"flag":true}},
  {"id":"5000000002","properties":{"hs_lead_name":"Bob"},"createdAt":"2026-01-01T00:00:00.000Z",
   "updatedAt":"2026-01-03T00:00:00.000Z","archived":true,"archivedAt":"2026-01-04T00:00:00.000Z",
   "objectWriteTraceId":"t-1","associations":{"contacts":{"results":[{"id":"102","type":"some_custom_label"},{"id":"103"}]}}}
 ],
 "paging":{"next":{"after":"5000000003","link":"https://api.hubapi.com/crm/v3/objects/leads?after=5000000003"}}})";

TEST(LeadPageReaderTest, APlainPageReadsAsTheTreeDecoderReadsIt) {
  EXPECT_EQ(fast(kPage, &kTypes), tree(kPage, &kTypes));
  EXPECT_EQ(fast(kPage, nullptr), tree(kPage, nullptr));
  auto page = read_lead_page(kPage, &kTypes);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->results.size(), 2u);
  EXPECT_EQ(page->results[0].property("hs_lead_name"), "Ann \"the\" Lead \\ \xc3\xa9");
  EXPECT_FALSE(page->results[0].properties.at("hs_lead_label"));
  EXPECT_EQ((*page->results[0].associations)["contacts"][0].type_ids, (std::vector<int>{578, 608}));
  EXPECT_EQ((*page->results[0].associations)["companies"][0].type_ids, (std::vector<int>{610}));
  EXPECT_FALSE(page->results[0].associations_unresolved);
  EXPECT_TRUE(page->results[1].associations_unresolved);  // an unknown label and a missing type
  EXPECT_TRUE(page->results[1].archived);
  EXPECT_EQ(page->next_after, "5000000003");
}

TEST(LeadPageReaderTest, SmallPagesOfThePlainShape) {
  for (
      const std::string body : {
          R"({"results":[]})",
          R"({"results":[],"paging":{}})",
          R"({"results":[],"paging":{"next":{"after":""}}})",
          R"({"paging":{"next":{"after":"7"}},"results":[{"properties":{},"id":"1"}]})",
          R"({"results":[{"id":"1","properties":{"a":"x","a":"y"}}]})",  // the last of a repeated property
          R"({"results":[{"id":"1","properties":{},"associations":{}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":[]}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"deals":{"results":[{"id":"9","type":"x","n":1}]}}}]})",
          R"({"total":3,"results":[{"id":"1","properties":{}}],"other":[[],{}]})",
          " \n{ \"results\" : [ ] } \n",
      }) {
    EXPECT_NE(fast(body, &kTypes), "refused") << body;
    EXPECT_EQ(fast(body, &kTypes), tree(body, &kTypes)) << body;
    EXPECT_EQ(fast(body, nullptr), tree(body, nullptr)) << body;
  }
}

TEST(LeadPageReaderTest, EveryOtherShapeIsLeftToTheTreeDecoder) {
  for (
      const std::string body : {
          "",
          "null",
          "[]",
          "\"x\"",
          "{",
          R"({"results":[]} x)",
          R"({"results":[]}{})",
          R"({})",  // no results: the tree decoder's error
          R"({"results":{}})",
          R"({"results":[1]})",
          R"({"results":[[]]})",
          R"({"results":[],"results":[]})",
          R"({"results":[{"properties":{}}]})",         // no id
          R"({"results":[{"id":"1"}]})",                // no properties
          R"({"results":[{"id":1,"properties":{}}]})",  // a number for an id
          R"({"results":[{"id":null,"properties":{}}]})",
          R"({"results":[{"id":"1","id":"2","properties":{}}]})",
          R"({"results":[{"id":"1","properties":{"a":5}}]})",  // a number for a value
          R"({"results":[{"id":"1","properties":{"a":true}}]})",
          R"({"results":[{"id":"1","properties":{"a":{}}}]})",
          R"({"results":[{"id":"1","properties":[]}]})",
          R"({"results":[{"id":"1","properties":{},"properties":{}}]})",
          R"({"results":[{"id":"1","properties":{},"archived":"true"}]})",
          R"({"results":[{"id":"1","properties":{},"createdAt":null}]})",
          R"({"results":[{"id":"1","properties":{},"propertiesWithHistory":{}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":[]}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":[]}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":[]},"contacts":{"results":[]}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":[],"paging":{"next":{"after":"2"}}}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":[{"type":"lead_to_contact"}]}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":[{"id":101}]}}}]})",
          R"({"results":[{"id":"1","properties":{},"associations":{"contacts":{"results":["101"]}}}]})",
          R"({"results":[],"paging":{"next":{"after":7}}})",
          R"({"results":[],"paging":{"next":{"after":null}}})",
          R"({"results":[],"paging":[]})",
      }) {
    EXPECT_EQ(fast(body, &kTypes), "refused") << body;
  }
}

// Every body cut short, and every body with one byte changed, is either refused or read exactly as the tree
// decoder reads it.
TEST(LeadPageReaderTest, DamagedPagesAreRefusedOrReadAsTheTreeDecoderReadsThem) {
  for (std::size_t n = 0; n < kPage.size(); ++n) {
    const std::string body = kPage.substr(0, n);
    EXPECT_EQ(fast(body, &kTypes), "refused") << "a truncated page was accepted: " << body;
  }
  int accepted = 0;
  std::mt19937 rng(42);
  const std::string bytes = "{}[]\",:0123456789.-etrufalsn \\ax";
  for (int i = 0; i < 20000; ++i) {
    std::string body = kPage;
    body[rng() % body.size()] = bytes[rng() % bytes.size()];
    const std::string f = fast(body, &kTypes);
    if (f == "refused") continue;
    ++accepted;
    ASSERT_EQ(f, tree(body, &kTypes)) << body;
  }
  EXPECT_GT(accepted, 1000);  // the comparison above ran on many changed pages, not only on refusals
}

}  // namespace
}  // namespace leadsync::hubspot::detail
