#include "progress.hpp"

#include <cmath>

namespace leadsync::daemon {

std::string group_thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string format_progress(const core::Progress& p, std::chrono::duration<double> elapsed) {
  std::string line = p.phase + " " + group_thousands(p.done);
  if (p.total && *p.total > 0) {
    line += "/" + group_thousands(*p.total) + " leads";
    const auto pct = static_cast<int>(100.0 * static_cast<double>(std::min(p.done, *p.total)) /
                                      static_cast<double>(*p.total));
    line += " (" + std::to_string(pct) + "%)";
  } else {
    line += " leads";
  }
  const double secs = elapsed.count();
  if (secs >= 1.0 && p.done > 0) {
    const double rate = static_cast<double>(p.done) / secs;
    line += "  " + group_thousands(std::llround(rate)) + "/s";
    if (p.total && *p.total > p.done && rate > 0) {
      const auto eta = static_cast<std::int64_t>(std::llround(static_cast<double>(*p.total - p.done) / rate));
      char buf[32];
      if (eta >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(eta / 3600),
                      static_cast<long long>(eta / 60 % 60), static_cast<long long>(eta % 60));
      else
        std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(eta / 60),
                      static_cast<long long>(eta % 60));
      line += "  ETA ";
      line += buf;
    }
  }
  return line;
}

ProgressLine::ProgressLine(std::FILE* out, bool enabled) : out_(out), enabled_(enabled) {}

ProgressLine::~ProgressLine() {
  finish();
}

void ProgressLine::update(const core::Progress& p) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (p.phase != phase_) {
    phase_ = p.phase;
    phase_start_ = now;
  } else if (now - last_draw_ < std::chrono::milliseconds(250)) {
    return;
  }
  last_draw_ = now;
  const auto text = format_progress(p, now - phase_start_);
  // \r + erase to end of line: the line shrinks cleanly when the text gets shorter.
  std::fprintf(out_, "\r\033[K%s", text.c_str());
  std::fflush(out_);
  drawn_ = true;
}

void ProgressLine::finish() {
  if (!enabled_ || !drawn_) return;
  std::fputs("\r\033[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace leadsync::daemon
