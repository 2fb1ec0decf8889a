#pragma once
// The daemon's side of systemd's Type=notify protocol (sd_notify(3)): READY=1 once migrations, schema and
// the first checks passed; STATUS= lines (last cycle, standby, backing off); WATCHDOG=1 pings; STOPPING=1.
// Without $NOTIFY_SOCKET (not started by systemd) every call is a cheap no-op.
// STATUS lines are also kept for tests and --status-like introspection (last_status()).
// Thread-safety: call from the event loop thread.
#include <chrono>
#include <optional>
#include <string>

namespace leadsync::daemon {

class SystemdNotifier {
 public:
  SystemdNotifier();

  bool enabled() const { return enabled_; }
  void ready(const std::string& status);
  // Sends STATUS= only when it changed (the manager keeps the last one).
  void status(const std::string& status);
  void watchdog();
  void stopping(const std::string& status);
  // WatchdogSec of the unit when the watchdog is on for this process; ping at half of it.
  std::optional<std::chrono::microseconds> watchdog_interval() const { return watchdog_; }
  const std::string& last_status() const { return last_status_; }

 private:
  void send(const std::string& message);

  bool enabled_ = false;
  std::optional<std::chrono::microseconds> watchdog_;
  std::string last_status_;
};

}  // namespace leadsync::daemon
