#pragma once
// StoppableWait: the HubSpot client's and rate limiter's waits (retry backoff, Retry-After, rate-limit
// windows), ended at once by a stop request. A stop otherwise reaches a cycle only at a batch boundary, and a
// wait inside a batch can be long (a whole rate-limit window, a backoff of hubspot.retry.max_backoff).
// Waits run on the client's executor; stop() may be called from any thread. Once stopped, every later wait
// ends at once too: the owner is on its way out.
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "leadsync/core/clock.hpp"
#include "leadsync/core/net.hpp"

namespace leadsync::hubspot {

class StoppableWait {
 public:
  StoppableWait() = default;
  StoppableWait(const StoppableWait&) = delete;
  StoppableWait& operator=(const StoppableWait&) = delete;

  // Sleeps `wait` on `clock`. True when the wait ran out, false when stop() ended it (or came before it).
  net::awaitable<bool> sleep(core::Clock& clock, std::chrono::milliseconds wait);
  void stop();
  bool stopped() const noexcept { return stopped_.load(); }

 private:
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;                                 // guards waiting_ against stop() from another thread
  std::vector<boost::asio::steady_timer*> waiting_;  // one per sleep in progress, cancelled by stop()
};

}  // namespace leadsync::hubspot
