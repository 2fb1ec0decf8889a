#pragma once
// Progress line for --sync-now on a terminal: "full sweep 12,300/20,000 leads (61%)  820/s  ETA 0:09",
// redrawn in place on stderr (at most 4 times a second) from the engine's progress callback. Nothing is
// printed when stderr is not a TTY (cron, pipes, systemd): logs stay clean.
// format_progress is pure (unit-tested). Thread-safety: one thread (the engine's callbacks run on the
// io_context).
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "leadsync/core/engine.hpp"

namespace leadsync::daemon {

// `elapsed`: time since the phase started; rate and ETA are shown once at least a second of data exists.
std::string format_progress(const core::Progress& p, std::chrono::duration<double> elapsed);
// 1234567 -> "1,234,567"
std::string group_thousands(std::int64_t n);

class ProgressLine {
 public:
  // enabled = false makes every call a no-op.
  ProgressLine(std::FILE* out, bool enabled);
  ~ProgressLine();

  void update(const core::Progress& p);
  // Erases the line (call before printing the summary).
  void finish();

 private:
  std::FILE* out_;
  bool enabled_;
  bool drawn_ = false;
  std::string phase_;
  std::chrono::steady_clock::time_point phase_start_{};
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace leadsync::daemon
