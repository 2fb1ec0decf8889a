// One mapping from a failure to an exit code, for the daemon's start-up and every one-shot mode.
#include "exit_codes.hpp"

#include <gtest/gtest.h>

namespace leadsync::daemon {
namespace {

core::Error db_error(core::ErrorKind kind, const std::string& sqlstate) {
  return core::Error(kind, "x", core::ErrorDetails{.category = sqlstate});
}

TEST(ExitCodes, TheServerFailingIsUnavailableNotConfiguration) {
  for (const char* s : {"53100", "53200", "58030", "XX000", "57014"})
    EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::transient, s)), kExitUnavailable) << s;
  // A COMMIT whose outcome is unknown stays fatal for the engine but is no configuration problem.
  EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::fatal, "08007")), kExitUnavailable);
  // Even were such a state ever classified fatal elsewhere, the SQLSTATE decides.
  EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::fatal, "53100")), kExitUnavailable);
}

TEST(ExitCodes, SchemaAndConfigurationProblemsAreSeventyEight) {
  EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::fatal, "42P01")), kExitConfig);
  EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::fatal, "")), kExitConfig);
  EXPECT_EQ(exit_code_for(db_error(core::ErrorKind::fatal, "CONFIG")), kExitConfig);
  core::ErrorDetails refused;
  refused.http_status = 401;
  EXPECT_EQ(exit_code_for(core::fatal_error("401", refused)), kExitUnavailable);
}

}  // namespace
}  // namespace leadsync::daemon
