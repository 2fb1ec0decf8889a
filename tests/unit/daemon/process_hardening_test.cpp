// disable_core_dumps() in a child process (it cannot be undone): no core file size, not dumpable.
#include "process_hardening.hpp"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace leadsync::daemon {
namespace {

TEST(ProcessHardening, DisablesCoreDumpsAndMarksTheProcessNotDumpable) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const bool ok = disable_core_dumps();
    rlimit core{};
    ::getrlimit(RLIMIT_CORE, &core);
    const int dumpable = ::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    ::_exit(ok && core.rlim_cur == 0 && core.rlim_max == 0 && dumpable == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace leadsync::daemon
