#pragma once
// ManualClock: a Clock whose time only moves when told to. sleep_for() does not wait: it advances the
// clock by the requested duration and records it, so tests assert exact waits (backoff, rate limits,
// intervals) without sleeping. Not thread-safe; for single-threaded unit tests.
#include <vector>

#include "leadsync/core/clock.hpp"

namespace leadsync::testing {

class ManualClock final : public core::Clock {
 public:
  explicit ManualClock(core::WallTime start = core::from_epoch_ms(1'767'225'600'000))  // 2026-01-01T00:00:00Z
      : wall_(start) {}

  core::WallTime now() const override { return wall_; }
  std::chrono::steady_clock::time_point steady_now() const override { return steady_; }
  net::awaitable<void> sleep_for(core::Millis duration) override {
    sleeps_.push_back(duration);
    advance(duration);
    co_return;
  }

  void advance(core::Millis d) {
    if (d.count() < 0) return;
    wall_ += d;
    steady_ += d;
  }
  // Every sleep requested so far, in order.
  const std::vector<core::Millis>& sleeps() const { return sleeps_; }
  core::Millis total_slept() const {
    core::Millis sum{0};
    for (auto s : sleeps_) sum += s;
    return sum;
  }
  void clear_sleeps() { sleeps_.clear(); }

 private:
  core::WallTime wall_;
  std::chrono::steady_clock::time_point steady_{std::chrono::hours(1)};
  std::vector<core::Millis> sleeps_;
};

}  // namespace leadsync::testing
