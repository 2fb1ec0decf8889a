#pragma once
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>

namespace leadsync::testing {

template <typename T>
T run_sync(net::awaitable<T> aw) {
  net::io_context ioc;
  std::optional<T> result;
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e, T value) {
    if (e) error = e; else result.emplace(std::move(value));
  });
  ioc.run();
  if (error) std::rethrow_exception(error);
  return std::move(*result);
}

inline void run_sync(net::awaitable<void> aw) {
  net::io_context ioc;
  std::exception_ptr error;
  net::co_spawn(ioc, std::move(aw), [&](std::exception_ptr e) { error = e; });
  ioc.run();
  if (error) std::rethrow_exception(error);
}

}  // namespace leadsync::testing
