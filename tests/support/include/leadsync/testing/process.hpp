#pragma once
// ChildProcess: starts a real program (fake-hubspot, leadsync) for integration tests. stdout and stderr
// go to a temporary file that the test can read while the child runs; the destructor kills (SIGKILL)
// and reaps a child that is still running, so a failing test leaves nothing behind.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace leadsync::testing {

class ChildProcess {
 public:
  using Env = std::vector<std::pair<std::string, std::string>>;  // added to (or replacing in) the environment

  ChildProcess(std::string path, std::vector<std::string> args, Env env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits until a line of output contains `needle`; returns that line. Throws on timeout or exit.
  std::string wait_for_line(const std::string& needle, std::chrono::milliseconds timeout);
  void send_signal(int sig);
  // Exit code (128 + signal when killed by a signal), or nullopt when still running after the timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  // Everything the child wrote to stdout and stderr so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  std::string output_path_;
  std::optional<int> exit_code_;
};

// Whether process `pid` runs `binary` (its exec finished) and has signal `sig` blocked. leadsync blocks
// its stop signals first thing in main(); before that, a SIGTERM takes the default action (the process
// dies with 143 before any of leadsync's code ran), which no program can prevent.
bool holds_signal(pid_t pid, const std::string& binary, int sig);

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr interleaved
};

// Runs a program to completion (killing it after `timeout`) and returns its exit code and output.
ProcessResult run_process(const std::string& path, const std::vector<std::string>& args,
                          const ChildProcess::Env& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

}  // namespace leadsync::testing
