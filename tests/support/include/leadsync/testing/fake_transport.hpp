#pragma once
// FakeTransport: a scripted http::Transport for unit tests of the HubSpot client. Each expectation is
// either a canned Response or a TransportError to throw; requests are recorded for assertions.
// Requests beyond the script fail the test (a 599 response with a message is returned as well).
#include <deque>
#include <functional>
#include <variant>
#include <vector>

#include "leadsync/http/transport.hpp"

namespace leadsync::testing {

class FakeTransport final : public http::Transport {
 public:
  using Handler = std::function<http::Response(const http::Request&)>;
  using Step = std::variant<http::Response, http::TransportError, Handler>;

  // Queue a response with a JSON body (Content-Type application/json;charset=utf-8) and extra headers.
  FakeTransport& respond(int status, std::string body = "{}", std::vector<http::Header> headers = {});
  FakeTransport& fail(http::TransportErrorKind kind, std::string message = "scripted failure");
  FakeTransport& handle(Handler handler);  // computes the response from the request

  net::awaitable<http::Response> send(http::Request request) override;

  const std::vector<http::Request>& requests() const { return requests_; }
  std::size_t remaining() const { return script_.size(); }

 private:
  std::deque<Step> script_;
  std::vector<http::Request> requests_;
};

// Runs an awaitable to completion on a fresh io_context (unit tests of coroutine code).
template <typename T>
T run_sync(net::awaitable<T> aw);
void run_sync(net::awaitable<void> aw);

}  // namespace leadsync::testing

#include "leadsync/testing/run_sync.ipp"
