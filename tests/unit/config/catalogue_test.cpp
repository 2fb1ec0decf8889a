// docs/bad-inputs.md promises a row for every bad configuration the tests feed leadsync. This keeps the
// promise: a new file under tests/unit/config/bad/ without its row in the catalogue fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

TEST(BadInputCatalogue, ListsEveryBadConfigFile) {
  std::ifstream in(fs::path(LEADSYNC_SOURCE_DIR) / "docs/bad-inputs.md");
  ASSERT_TRUE(in) << "docs/bad-inputs.md is missing";
  std::stringstream doc;
  doc << in.rdbuf();
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(LEADSYNC_SOURCE_DIR) / "tests/unit/config/bad")) {
    if (entry.path().extension() != ".yaml") continue;
    ++files;
    const auto name = "`" + entry.path().filename().string() + "`";
    EXPECT_NE(doc.str().find(name), std::string::npos) << name << " has no row in docs/bad-inputs.md";
  }
  EXPECT_GE(files, 25);
}

}  // namespace
