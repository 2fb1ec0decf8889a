#include "leadsync/hubspot/stoppable_wait.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace leadsync::hubspot {

namespace {

// Lists a timer with its StoppableWait for as long as a sleep uses it. The locking lives in plain functions,
// outside the coroutine frame.
class Listed {
 public:
  Listed(std::mutex& mutex, std::vector<boost::asio::steady_timer*>& list, boost::asio::steady_timer* timer)
      : mutex_(mutex), list_(list), timer_(timer) {
    std::lock_guard lock(mutex_);
    list_.push_back(timer_);
  }
  ~Listed() {
    std::lock_guard lock(mutex_);
    list_.erase(std::remove(list_.begin(), list_.end(), timer_), list_.end());
  }
  Listed(const Listed&) = delete;
  Listed& operator=(const Listed&) = delete;

 private:
  std::mutex& mutex_;
  std::vector<boost::asio::steady_timer*>& list_;
  boost::asio::steady_timer* timer_;
};

}  // namespace

net::awaitable<bool> StoppableWait::sleep(core::Clock& clock, std::chrono::milliseconds wait) {
  using namespace boost::asio::experimental::awaitable_operators;
  if (stopped_) co_return false;
  // Never expires by itself: stop() cancels it, which completes the wait below without an exception.
  boost::asio::steady_timer stop_timer(co_await net::this_coro::executor,
                                       std::chrono::steady_clock::time_point::max());
  Listed listed(mutex_, waiting_, &stop_timer);
  if (stopped_) co_return false;  // stop() ran before the timer was listed
  const auto first = co_await (clock.sleep_for(wait) ||
                               stop_timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable)));
  co_return first.index() == 0 && !stopped_;
}

void StoppableWait::stop() {
  stopped_ = true;
  std::lock_guard lock(mutex_);
  // Timers are cancelled on their own executor: stop() may come from a signal handler's thread. A timer gone
  // by then is no longer listed.
  for (auto* timer : waiting_) {
    boost::asio::post(timer->get_executor(), [this, timer] {
      std::lock_guard inner(mutex_);
      if (std::find(waiting_.begin(), waiting_.end(), timer) != waiting_.end()) timer->cancel();
    });
  }
}

}  // namespace leadsync::hubspot
