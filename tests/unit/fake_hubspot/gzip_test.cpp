// The gzip_body fault's framing: what it writes must be gzip that a real decoder (gzip(1)) reads back.
#include "gzip.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "faults.hpp"

namespace leadsync::fake_hubspot {
namespace {

std::string gunzip(const std::string& bytes) {
  const auto path =
      std::filesystem::temp_directory_path() /
      ("fake_hubspot_gzip_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
       std::to_string(bytes.size()) + ".gz");
  std::ofstream(path, std::ios::binary) << bytes;
  std::string out;
  if (FILE* p = ::popen(("gzip -dc " + path.string()).c_str(), "r")) {
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    EXPECT_EQ(::pclose(p), 0) << "gzip refused the body";
  }
  std::filesystem::remove(path);
  return out;
}

TEST(FakeHubspotGzip, RealGzipReadsBackEveryBody) {
  std::string big;
  for (int i = 0; i < 200'000; ++i) big.push_back(static_cast<char>(i * 31 % 251));  // several stored blocks
  for (const std::string& body : {std::string(), std::string(R"({"results":[]})"), big}) {
    const std::string gz = gzip_stored(body);
    EXPECT_EQ(gz.substr(0, 3), std::string("\x1f\x8b\x08", 3));
    EXPECT_EQ(gunzip(gz), body) << body.size();
  }
}

TEST(FakeHubspotRedirectFault, NeedsALocationAndARedirectStatus) {
  auto f =
      parse_fault(nlohmann::json::parse(R"({"kind":"redirect","location":"https://elsewhere.example/"})"));
  EXPECT_EQ(f.status, 302);
  EXPECT_EQ(f.location, "https://elsewhere.example/");
  EXPECT_FALSE(f.execute);
  EXPECT_EQ(fault_to_json(f)["location"], "https://elsewhere.example/");
  EXPECT_EQ(parse_fault(nlohmann::json::parse(R"({"kind":"redirect","status":308,"location":"/x"})")).status,
            308);
  for (const char* bad :
       {R"({"kind":"redirect"})", R"({"kind":"redirect","status":304,"location":"/x"})",
        R"({"kind":"redirect","location":"/x\r\nSet-Cookie: a=b"})", R"({"status":500,"location":"/x"})"})
    EXPECT_THROW(parse_fault(nlohmann::json::parse(bad)), std::invalid_argument) << bad;
  EXPECT_TRUE(parse_fault(nlohmann::json::parse(R"({"kind":"gzip_body"})")).execute);
}

}  // namespace
}  // namespace leadsync::fake_hubspot
