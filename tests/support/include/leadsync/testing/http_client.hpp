#pragma once
// A deliberately tiny blocking HTTP/1.1 client over POSIX sockets, for tests to poke fake-hubspot's admin
// routes and the daemon's /metrics without going through (and so without trusting) leadsync's transport.
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace leadsync::testing {

struct SimpleResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Sends one request with "Connection: close" to 127.0.0.1:port and reads the whole response.
// Throws std::runtime_error when the connection fails or the response is not HTTP.
SimpleResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                            const std::string& body = {},
                            const std::vector<std::pair<std::string, std::string>>& headers = {});

// A blocking TCP connection to 127.0.0.1:port, or -1; the caller closes it. For tests that send raw bytes.
int connect_loopback(std::uint16_t port);

// Reads from `fd` until the peer closes or `wait` passes; returns what arrived and whether the peer closed.
std::pair<std::string, bool> read_until_closed(int fd, std::chrono::milliseconds wait);

// A TCP port on 127.0.0.1 free at the time of the call (bound and released): for a server a test starts
// later on a port it must know in advance (another process may take it first; rare, and the server says so).
std::uint16_t free_loopback_port();

}  // namespace leadsync::testing
