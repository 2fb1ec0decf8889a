#pragma once
// MetricsServer: a small HTTP/1.1 server for /metrics, /healthz and /readyz (the daemon supplies the
// answers through a handler). GET and HEAD only; keep-alive; a 10 s deadline for every request head and
// 30 s for an idle connection, and 30 s for a connection in all; at most 32 connections at once (more are
// closed at once); request bodies are refused. A handler that throws gets a 500 without its text. Binds
// to loopback by default (metrics.listen).
// The Beast code lives in metrics_server.cpp alone (one expensive translation unit); this header exposes
// no Beast types.
// Errors: listen() throws core::Error (fatal, message names the address) when it cannot bind. A failing
// connection only ends that connection.
// Thread-safety: not thread-safe; construct and call on the io_context's single thread. The handler runs
// on that thread and must not block.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "leadsync/core/net.hpp"

namespace leadsync::daemon {

struct HttpReply {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

// (method, target) -> reply. Called for GET and HEAD (HEAD drops the body).
using HttpHandler = std::function<HttpReply(const std::string& method, const std::string& target)>;

class MetricsServer {
 public:
  MetricsServer(net::any_io_executor executor, HttpHandler handler);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds host:port (port 0 = any free port), starts accepting, and returns the bound port.
  std::uint16_t start(const std::string& host, std::uint16_t port);
  // Stops accepting and closes every connection.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace leadsync::daemon
