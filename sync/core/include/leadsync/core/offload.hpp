#pragma once
// Runs blocking work (libpqxx calls) on another executor and resumes the awaiting coroutine on its own
// executor when done, so database work never blocks the network io_context. Exceptions thrown by `f`
// propagate to the awaiting coroutine. `f` is moved into the spawned coroutine's frame.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

#include "leadsync/core/net.hpp"

namespace leadsync::core {

template <typename F>
auto run_blocking(net::any_io_executor executor, F f) -> net::awaitable<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    co_await net::co_spawn(
        executor, [f = std::move(f)]() mutable -> net::awaitable<void> { f(); co_return; }, net::use_awaitable);
  } else {
    co_return co_await net::co_spawn(
        executor, [f = std::move(f)]() mutable -> net::awaitable<R> { co_return f(); }, net::use_awaitable);
  }
}

}  // namespace leadsync::core
