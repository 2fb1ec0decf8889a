#pragma once
// The HTTP/1.1 front end of fake-hubspot (the only translation unit using Beast): an acceptor
// coroutine, one coroutine per connection with keep-alive, and the misbehaviour faults ask for.
// run_server blocks until SIGINT/SIGTERM; throws boost::system::system_error when it cannot listen.
#include <cstdint>
#include <functional>
#include <string>

#include "http_types.hpp"

namespace leadsync::fake_hubspot {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = 1;
};

// Prints "listening on ADDRESS:PORT" on stdout (flushed) once the socket accepts connections.
// `handler` is called from the I/O threads (concurrently when threads > 1) and must not throw.
using Handler = std::function<HttpResponse(const HttpRequest&)>;
void run_server(const Handler& handler, const ServerOptions& options);

}  // namespace leadsync::fake_hubspot
