#pragma once
// Plain request/response structs shared by the Beast server (server.cpp) and the API logic, so that
// only server.cpp needs Beast. A response can ask the server to misbehave (faults): wait, drop the
// connection at some point, or lie about Content-Length.
#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace leadsync::fake_hubspot {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // as received: path and query
  std::string path;           // percent-decoded path, no query
  std::string query;          // raw query string (after '?')
  std::string authorization;  // Authorization header value
  std::string host;           // Host header value
  std::string content_type;   // Content-Type header value
  std::string body;
};

enum class Delivery {
  normal,
  drop_before_response,  // close the connection without writing anything
  drop_after_headers,    // write the head (with the real Content-Length), then close
  drop_mid_body,         // write the head and half of the body, then close
  truncated_body,        // announce more bytes than are sent, send the body, then close
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // in addition to Content-Type/Length
  std::string content_type = "application/json;charset=utf-8";
  std::string body;
  Delivery delivery = Delivery::normal;
  // When `then` is set the server waits `delay` and sends then() instead of this response.
  std::chrono::milliseconds delay{0};
  std::function<HttpResponse()> then;
};

}  // namespace leadsync::fake_hubspot
