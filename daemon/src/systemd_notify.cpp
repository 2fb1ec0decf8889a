#include "systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdlib>

#include "logging.hpp"

namespace leadsync::daemon {

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  enabled_ = socket && *socket;
  std::uint64_t usec = 0;
  // unset_environment = 0: children (none) would not care; keeps $WATCHDOG_USEC visible for debugging.
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(const std::string& message) {
  if (!enabled_) return;
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
