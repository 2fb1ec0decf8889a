// Every file under bad/ is a configuration that must be rejected. Its header says how:
//   # expect: <fragment>       required, first line: what() must contain the fragment
//   # expect-line: N           optional: some issue must point at line N
//   # forbid: <text>           optional, repeatable: what() must not contain text (a secret in the file)
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/config_error.hpp"

namespace leadsync::config {
namespace {

namespace fs = std::filesystem;

fs::path bad_dir() {
  return fs::path(LEADSYNC_SOURCE_DIR) / "tests/unit/config/bad";
}

std::vector<std::string> bad_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(bad_dir(), ec))
    if (entry.path().extension() == ".yaml") out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

struct Expectation {
  std::string fragment;
  int line = 0;
  std::vector<std::string> forbidden;
};

// Reads the header comments; fails the test when the first line is not `# expect: ...`.
Expectation read_expectation(const fs::path& file) {
  Expectation e;
  std::ifstream in(file);
  std::string first;
  std::getline(in, first);
  const std::string expect = "# expect: ";
  EXPECT_TRUE(first.starts_with(expect)) << file << ": first line must be `# expect: <fragment>`";
  if (first.starts_with(expect)) e.fragment = first.substr(expect.size());
  for (std::string line; std::getline(in, line) && line.starts_with("# ");) {
    if (line.starts_with("# expect-line: ")) e.line = std::stoi(line.substr(15));
    if (line.starts_with("# forbid: ")) e.forbidden.push_back(line.substr(10));
  }
  return e;
}

class ConfigBadFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ConfigBadFile, IsRejectedWithTheExpectedMessage) {
  fs::path file = bad_dir() / GetParam();
  Expectation expected = read_expectation(file);
  ASSERT_FALSE(expected.fragment.empty());
  try {
    load_config_file(file.string());
    FAIL() << GetParam() << " was accepted";
  } catch (const ConfigError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find(expected.fragment), std::string::npos)
        << "expected fragment: " << expected.fragment << "\nactual:\n"
        << what;
    // Every line names the file it came from.
    EXPECT_TRUE(what.starts_with(file.string())) << what;
    if (expected.line != 0) {
      bool found = std::any_of(e.issues().begin(), e.issues().end(), [&](const ConfigIssue& issue) {
        return issue.line == expected.line &&
               format_issue(issue).find(expected.fragment) != std::string::npos;
      });
      EXPECT_TRUE(found) << "no issue with the fragment at line " << expected.line << ":\n" << what;
    }
    for (const std::string& secret : expected.forbidden)
      EXPECT_EQ(what.find(secret), std::string::npos) << "secret echoed in:\n" << what;
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Bad, ConfigBadFile, ::testing::ValuesIn(bad_files()), test_name);

// Guards the parameterised test against an empty or missing directory (which would run nothing).
TEST(ConfigBadFiles, AtLeastThirtyExist) {
  EXPECT_GE(bad_files().size(), 30u) << bad_dir();
}

}  // namespace
}  // namespace leadsync::config
