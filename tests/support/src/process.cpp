#include "leadsync/testing/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace leadsync::testing {

namespace {

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string make_output_path() {
  char tmpl[] = "/tmp/leadsync-child-XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  ::close(fd);
  return tmpl;
}

}  // namespace

ChildProcess::ChildProcess(std::string path, std::vector<std::string> args, Env env)
    : output_path_(make_output_path()) {
  std::vector<std::string> argv_store;
  argv_store.push_back(path);
  for (auto& a : args) argv_store.push_back(std::move(a));

  // Build the environment before fork: only async-signal-safe calls are allowed in the child.
  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    auto name = kv.substr(0, kv.find('='));
    bool overridden = false;
    for (auto& [k, v] : env) overridden = overridden || k == name;
    if (!overridden) env_store.push_back(kv);
  }
  for (auto& [k, v] : env) env_store.push_back(k + "=" + v);

  std::vector<char*> argv, envp;
  for (auto& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_store) envp.push_back(s.data());
  envp.push_back(nullptr);

  int out_fd = ::open(output_path_.c_str(), O_WRONLY | O_TRUNC);
  if (out_fd < 0) throw std::runtime_error("cannot open " + output_path_);
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(out_fd);
    throw std::runtime_error("fork failed");
  }
  if (pid_ == 0) {
    ::setpgid(0, 0);  // own process group: a test can signal the child without hitting itself
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, STDIN_FILENO);
    ::execve(argv[0], argv.data(), envp.data());
    const char msg[] = "execve failed\n";
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(out_fd);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  ::unlink(output_path_.c_str());
}

std::string ChildProcess::output() const {
  std::ifstream in(output_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ChildProcess::wait_for_line(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::istringstream lines(output());
    std::string line;
    while (std::getline(lines, line))
      if (line.find(needle) != std::string::npos) return line;
    if (!running())
      throw std::runtime_error("child exited (code " + std::to_string(exit_code_.value_or(-1)) +
                               ") before printing '" + needle + "'; output:\n" + output());
    if (std::chrono::steady_clock::now() > deadline)
      throw std::runtime_error("timed out waiting for '" + needle + "'; output:\n" + output());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void ChildProcess::send_signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

bool ChildProcess::running() {
  if (exit_code_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = decode_status(status);
    return false;
  }
  return r == 0;
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return exit_code_;
}

ProcessResult run_process(const std::string& path, const std::vector<std::string>& args,
                          const ChildProcess::Env& env, std::chrono::milliseconds timeout) {
  ChildProcess child(path, args, env);
  auto code = child.wait(timeout);
  ProcessResult result;
  if (!code) {
    child.send_signal(SIGKILL);
    code = child.wait(std::chrono::seconds(5));
    result.output = child.output() + "\n[run_process: killed after timeout]\n";
    result.exit_code = code.value_or(-1);
    return result;
  }
  result.exit_code = *code;
  result.output = child.output();
  return result;
}

bool holds_signal(pid_t pid, const std::string& binary, int sig) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  if (std::filesystem::read_symlink(proc + "/exe", ec) != std::filesystem::canonical(binary, ec))
    return false;
  std::ifstream status(proc + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("SigBlk:", 0) == 0)
      return (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1) & 1U) != 0;
  return false;
}

}  // namespace leadsync::testing
