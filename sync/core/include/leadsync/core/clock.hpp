#pragma once
// Clock seam. Production code never calls std::chrono::*::now() or sleeps directly: it asks a Clock,
// so tests can use a ManualClock (tests/support) and assert exact waits without sleeping.
// sleep_for is cancellable through the awaiting coroutine's cancellation slot (throws
// boost::system::system_error with net::error::operation_aborted when cancelled).
// Thread-safety: implementations are safe to call from any thread; sleep_for runs on the caller's executor.
#include <chrono>
#include <memory>

#include "leadsync/core/net.hpp"

namespace leadsync::core {

using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), used for timestamps, watermarks and HubSpot's daily reset.
  virtual WallTime now() const = 0;
  // Monotonic time, used for intervals, timeouts and token buckets.
  virtual std::chrono::steady_clock::time_point steady_now() const = 0;
  virtual net::awaitable<void> sleep_for(Millis duration) = 0;
};

// The real clock: system/steady clocks and an Asio steady_timer on the awaiting coroutine's executor.
class SystemClock final : public Clock {
 public:
  WallTime now() const override;
  std::chrono::steady_clock::time_point steady_now() const override;
  net::awaitable<void> sleep_for(Millis duration) override;
};

// Milliseconds since the Unix epoch, and back: HubSpot speaks epoch-ms in search filters.
std::int64_t to_epoch_ms(WallTime t);
WallTime from_epoch_ms(std::int64_t ms);

}  // namespace leadsync::core
