// Requests per second of BeastTransport against a local server running on another thread. Google Benchmark's
// CPU column is the benchmark thread's CPU time, i.e. the client's cost per round (the server's is not in
// it).
#include <benchmark/benchmark.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <stdexcept>

#include "leadsync/http/beast_transport.hpp"
#include "test_pki.hpp"
#include "test_server.hpp"

namespace {

using namespace leadsync;
using leadsync::testing::Reply;
using leadsync::testing::ServerRequest;
using leadsync::testing::TestPki;
using leadsync::testing::TestServer;

const TestPki& pki() {
  static const TestPki instance({"localhost"}, {"127.0.0.1"});
  return instance;
}

struct Setup {
  net::io_context ioc;
  std::unique_ptr<TestServer> server;
  std::unique_ptr<http::BeastTransport> transport;

  Setup(bool tls, bool close_each, std::size_t connections) {
    const std::string body(512, 'x');
    server = std::make_unique<TestServer>(
        [body, close_each](const ServerRequest&) {
          Reply reply;
          reply.body = body;
          if (close_each) reply.headers = {{"Connection", "close"}};
          return reply;
        },
        TestServer::Options{.pki = tls ? &pki() : nullptr});
    http::TransportOptions options;
    options.base_url = (tls ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(server->port());
    if (tls) options.ca_file = pki().ca_file().string();
    options.max_connections = connections;
    transport = std::make_unique<http::BeastTransport>(ioc.get_executor(), options);
  }

  // Sends `in_flight` requests at once and waits for all of them.
  void round(int in_flight) {
    int failures = 0;
    for (int i = 0; i < in_flight; ++i) {
      http::Request request;
      request.target = "/crm/v3/objects/leads?limit=100";
      request.headers = {{"Authorization", "Bearer bench"}};
      net::co_spawn(
          ioc, transport->send(std::move(request)),
          [&failures](std::exception_ptr e, http::Response r) { failures += (e || r.status != 200); });
    }
    ioc.restart();
    ioc.run();
    if (failures) throw std::runtime_error("benchmark request failed");
  }
};

void keep_alive(benchmark::State& state) {
  const bool tls = state.range(0) != 0;
  const int in_flight = static_cast<int>(state.range(1));
  Setup setup(tls, false, static_cast<std::size_t>(in_flight));
  setup.round(in_flight);  // warm up: connections are open before timing starts
  for (auto _ : state) setup.round(in_flight);
  state.SetItemsProcessed(state.iterations() * in_flight);
  state.SetLabel(std::string(tls ? "tls" : "plain") + ", " + std::to_string(in_flight) + " in flight");
}
BENCHMARK(keep_alive)->Args({0, 1})->Args({1, 1})->Args({0, 4})->Args({1, 4})->UseRealTime();

void connection_per_request(benchmark::State& state) {
  const bool tls = state.range(0) != 0;
  Setup setup(tls, true, 1);
  for (auto _ : state) setup.round(1);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(tls ? "tls, Connection: close" : "plain, Connection: close");
}
BENCHMARK(connection_per_request)->Arg(0)->Arg(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
