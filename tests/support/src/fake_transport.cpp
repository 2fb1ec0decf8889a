#include "leadsync/testing/fake_transport.hpp"

#include <gtest/gtest.h>

namespace leadsync::testing {

FakeTransport& FakeTransport::respond(int status, std::string body, std::vector<http::Header> headers) {
  http::Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.push_back({"Content-Type", "application/json;charset=utf-8"});
  for (auto& h : headers) r.headers.push_back(std::move(h));
  script_.emplace_back(std::move(r));
  return *this;
}

FakeTransport& FakeTransport::fail(http::TransportErrorKind kind, std::string message) {
  script_.emplace_back(http::TransportError(kind, message));
  return *this;
}

FakeTransport& FakeTransport::handle(Handler handler) {
  script_.emplace_back(std::move(handler));
  return *this;
}

net::awaitable<http::Response> FakeTransport::send(http::Request request) {
  requests_.push_back(request);
  if (script_.empty()) {
    ADD_FAILURE() << "FakeTransport: unexpected request " << request.method << " " << request.target;
    http::Response r;
    r.status = 599;
    r.body = R"({"status":"error","message":"FakeTransport script exhausted","category":"TEST"})";
    co_return r;
  }
  Step step = std::move(script_.front());
  script_.pop_front();
  if (auto* err = std::get_if<http::TransportError>(&step)) throw *err;
  if (auto* handler = std::get_if<Handler>(&step)) co_return (*handler)(requests_.back());
  co_return std::get<http::Response>(std::move(step));
}

}  // namespace leadsync::testing
