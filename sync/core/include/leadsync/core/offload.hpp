#pragma once
// Runs blocking work (libpqxx calls) on another executor and resumes the awaiting coroutine on its own
// executor when done, so database work never blocks the network io_context. Exceptions thrown by `f`
// propagate to the awaiting coroutine. The result type must be default-constructible.
//
// Capture by reference: the awaiting coroutine is suspended until `f` has run, so its locals outlive the
// call. Do NOT capture coroutine locals by copy: GCC 12 shallow-copies a std::string captured by value in
// a lambda created inside a coroutine (its small-string pointer keeps pointing into the coroutine frame),
// which valgrind caught as an invalid free on the database thread.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <type_traits>
#include <utility>

#include "leadsync/core/net.hpp"

namespace leadsync::core {

template <typename F>
auto run_blocking(net::any_io_executor executor, F f) -> net::awaitable<std::invoke_result_t<F&>> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::exception_ptr)>(
        [executor](auto handler, F work) {
          net::post(executor, [handler = std::move(handler), work = std::move(work)]() mutable {
            std::exception_ptr error;
            try {
              work();
            } catch (...) {
              error = std::current_exception();
            }
            auto home = net::get_associated_executor(handler);
            net::dispatch(home,
                          [handler = std::move(handler), error]() mutable { std::move(handler)(error); });
          });
        },
        net::use_awaitable, std::move(f));
  } else {
    return net::async_initiate<const net::use_awaitable_t<>&, void(std::exception_ptr, R)>(
        [executor](auto handler, F work) {
          net::post(executor, [handler = std::move(handler), work = std::move(work)]() mutable {
            std::exception_ptr error;
            R result{};
            try {
              result = work();
            } catch (...) {
              error = std::current_exception();
            }
            auto home = net::get_associated_executor(handler);
            net::dispatch(home, [handler = std::move(handler), error, result = std::move(result)]() mutable {
              std::move(handler)(error, std::move(result));
            });
          });
        },
        net::use_awaitable, std::move(f));
  }
}

}  // namespace leadsync::core
