#pragma once
// FakeHubspot: runs the real fake-hubspot executable on a free port for one test (or fixture) and
// offers shortcuts for its /_fake/ admin routes and authenticated API calls.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "leadsync/testing/http_client.hpp"
#include "leadsync/testing/process.hpp"

namespace leadsync::testing {

// True for a /_fake/stats route template ("PATCH /crm/v3/objects/leads/{id}") that writes to the portal:
// tests count these to prove a run changed nothing in HubSpot.
bool is_crm_write_route(const std::string& route);

class FakeHubspot {
 public:
  struct Options {
    std::vector<std::string> tokens{"test-token"};
    std::vector<std::string> extra_args;  // e.g. {"--rate-limit-per-10s", "0"}
  };

  FakeHubspot();
  explicit FakeHubspot(Options options);

  std::uint16_t port() const { return port_; }
  std::string base_url() const;  // http://127.0.0.1:PORT
  const std::string& token() const { return token_; }

  // Admin route (no auth), e.g. admin("POST", "/_fake/contacts", R"({"count": 3})").
  SimpleResponse admin(const std::string& method, const std::string& path, const std::string& body = {});
  // API call with the first token as bearer.
  SimpleResponse api(const std::string& method, const std::string& target, const std::string& body = {});

  // Write requests served under /crm/ so far, from GET /_fake/stats (reads, searches and batch reads
  // excluded).
  long crm_writes();

  ChildProcess& process() { return *process_; }

 private:
  std::unique_ptr<ChildProcess> process_;
  std::uint16_t port_ = 0;
  std::string token_;
};

}  // namespace leadsync::testing
