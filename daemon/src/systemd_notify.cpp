#include "systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "logging.hpp"

namespace leadsync::daemon {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket && *socket;
  std::uint64_t usec = 0;
  // unset_environment = 0: children (none) would not care; keeps $WATCHDOG_USEC visible for debugging.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

namespace {

// sd_notify waits when the manager's socket queue is full: a systemd that stopped reading would freeze the
// event loop (the daemon's every timer, the metrics server, the webhook receiver). A notification is not
// worth that: it is sent without waiting, and dropped when the queue is full. Unix-socket paths (and
// abstract ones, "@...") are handled here; any other address form goes to sd_notify.
// Returns false when the address is not a Unix-socket path.
bool send_without_waiting(const char* address, const std::string& message) {
  if (address[0] != '/' && address[0] != '@') return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::size_t len = std::strlen(address);
  if (len >= sizeof addr.sun_path) return false;
  std::memcpy(addr.sun_path, address, len);
  if (address[0] == '@') addr.sun_path[0] = '\0';
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return true;
  const auto addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  const auto sent = ::sendto(fd, message.data(), message.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
                             reinterpret_cast<const sockaddr*>(&addr), addr_len);
  if (sent < 0) spdlog::debug("systemd notification not sent: {}", std::strerror(errno));
  ::close(fd);
  return true;
}

}  // namespace

void SystemdNotifier::send(const std::string& message) {
  if (!enabled_) return;
  const char* address = std::getenv("NOTIFY_SOCKET");
  if (address && send_without_waiting(address, message)) return;
  if (const int r = sd_notify(0, message.c_str()); r < 0) spdlog::debug("sd_notify failed: {}", -r);
}

namespace {

// A status embeds error texts from HubSpot and PostgreSQL; a line break in one would start a field of its own
// in the notify message (READY=1, STOPPING=1, MAINPID=...). Escaped as in the text log.
std::string one_line(const std::string& status) {
  std::string out;
  append_text_escaped(out, status);
  return out;
}

}  // namespace

void SystemdNotifier::ready(const std::string& status) {
  last_status_ = status;
  send("READY=1\nSTATUS=" + one_line(status));
}

void SystemdNotifier::status(const std::string& status) {
  if (status == last_status_) return;
  last_status_ = status;
  send("STATUS=" + one_line(status));
}

void SystemdNotifier::watchdog() {
  send("WATCHDOG=1");
}

void SystemdNotifier::stopping(const std::string& status) {
  last_status_ = status;
  send("STOPPING=1\nSTATUS=" + one_line(status));
}

}  // namespace leadsync::daemon
