// STATUS= carries error texts from HubSpot and PostgreSQL: a line break in one must not add a field of its
// own (READY=1, STOPPING=1, MAINPID=...) to the notify message.
#include "systemd_notify.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <string>

namespace leadsync::daemon {
namespace {

// A bound AF_UNIX datagram socket standing in for systemd's notify socket; -1 when it cannot be bound.
int bind_datagram_socket(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return fd;
  ::close(fd);
  return -1;
}

TEST(SystemdNotifyTest, AStatusIsOneFieldWhateverItsText) {
  const auto path =
      std::filesystem::temp_directory_path() / ("leadsync-notify-" + std::to_string(::getpid()));
  const int fd = bind_datagram_socket(path);
  ASSERT_GE(fd, 0);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  {
    SystemdNotifier notifier;
    notifier.status("active, backing off: HubSpot said: down\nMAINPID=1\nSTOPPING=1");
  }
  ::unsetenv("NOTIFY_SOCKET");
  char buf[4096];
  const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ::close(fd);
  std::filesystem::remove(path);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)),
            "STATUS=active, backing off: HubSpot said: down\\nMAINPID=1\\nSTOPPING=1");
}

TEST(SystemdNotifyTest, AManagerThatStopsReadingNeverBlocksTheDaemon) {
  const auto path =
      std::filesystem::temp_directory_path() / ("leadsync-notify-full-" + std::to_string(::getpid()));
  const int fd = bind_datagram_socket(path);
  ASSERT_GE(fd, 0);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  // The socket's queue holds a few hundred datagrams at most; nothing reads it. Every call must return.
  auto sending = std::async(std::launch::async, [] {
    SystemdNotifier notifier;
    for (int i = 0; i < 5000; ++i) notifier.status("status " + std::to_string(i));
  });
  const bool returned = sending.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  ::unsetenv("NOTIFY_SOCKET");
  char buf[256];
  const auto n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  ::close(fd);
  std::filesystem::remove(path);
  if (!returned) {
    ADD_FAILURE() << "a status update blocked on the full notify socket";
    std::_Exit(1);  // the sending thread is stuck in the send and cannot be joined
  }
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)), "STATUS=status 0");
}

}  // namespace
}  // namespace leadsync::daemon
