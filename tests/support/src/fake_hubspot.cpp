#include "leadsync/testing/fake_hubspot.hpp"

#include <stdexcept>

namespace leadsync::testing {

FakeHubspot::FakeHubspot() : FakeHubspot(Options{}) {}

FakeHubspot::FakeHubspot([[maybe_unused]] Options options) {
#ifndef LEADSYNC_FAKE_HUBSPOT_BIN
  throw std::runtime_error("fake-hubspot was not built");
#else
  std::vector<std::string> args{"--port", "0"};
  for (const auto& t : options.tokens) {
    args.push_back("--token");
    args.push_back(t);
  }
  for (auto& a : options.extra_args) args.push_back(a);
  token_ = options.tokens.empty() ? std::string() : options.tokens.front();
  process_ = std::make_unique<ChildProcess>(LEADSYNC_FAKE_HUBSPOT_BIN, args);
  auto line = process_->wait_for_line("listening on 127.0.0.1:", std::chrono::seconds(30));
  port_ = static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1)));
#endif
}

std::string FakeHubspot::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

SimpleResponse FakeHubspot::admin(const std::string& method, const std::string& path, const std::string& body) {
  return http_request(port_, method, path, body);
}

SimpleResponse FakeHubspot::api(const std::string& method, const std::string& target, const std::string& body) {
  return http_request(port_, method, target, body, {{"Authorization", "Bearer " + token_}});
}

}  // namespace leadsync::testing
