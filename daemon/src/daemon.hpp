#pragma once
// Daemon: `leadsync --config FILE` in the foreground, for systemd (Type=notify) or a terminal.
//
// Start-up: metrics server (bind errors are fatal, exit 78), then migrations and the table check, retried
// with backoff while PostgreSQL is unavailable (a table that does not fit is fatal, exit 78), then READY=1.
// Leadership (HA): only the holder of the scope's leader lock (db::LeaderLock) syncs; the others wait as
// standbys, polling every second, and take over when the lock is free. The active process checks its lock
// session every 2 s and stops working (engine stop at the next batch boundary) as soon as the check fails
// or does not answer within 5 s, then releases the session once its in-flight batch is done.
// Scheduling (Scheduler): automatic cycles every sync.interval, push-only cycles within sync.debounce of a
// local change (LISTEN on a dedicated connection, reconnected with backoff; after a reconnect it pushes
// whatever arrived meanwhile), capped exponential backoff after failures; one cycle at a time.
// Signals: SIGTERM/SIGINT stop after the batch in flight (STOPPING=1, exit 0); a second signal, or 30 s
// without reaching a batch boundary, cancels the waits in flight. SIGHUP reloads the YAML: errors and
// changes to keys that cannot change live are logged and the running configuration stays; the rest is
// applied between cycles (new HubSpot client, store and engine; log level/format).
// systemd: READY=1, STATUS= lines, WATCHDOG=1 while the loop shows signs of life, STOPPING=1.
// Errors: run() returns an exit code (exit_codes.hpp); it throws nothing.
// Thread-safety: run() on the main thread; everything else runs on the Runtime's io_context (one thread).
#include <filesystem>
#include <memory>
#include <string>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/secrets.hpp"

namespace leadsync::daemon {

struct DaemonOptions {
  std::string config_path;
  std::filesystem::path migrations_dir;
  bool start_with_full = false;  // --full: the first cycle is a full sweep
};

class Daemon {
 public:
  Daemon(DaemonOptions options, config::AppConfig cfg, config::Secrets secrets);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  int run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadsync::daemon
