#pragma once
// The one place that names Boost.Asio's coroutine vocabulary for leadsync. sync/core may use Asio's
// awaitable/executor types (never Beast, pqxx, JSON or YAML); everything heavier lives in other modules.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace leadsync {
namespace net = boost::asio;
}  // namespace leadsync
