#include "leadsync/testing/fake_hubspot.hpp"

#include <nlohmann/json.hpp>
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

std::string FakeHubspot::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

SimpleResponse FakeHubspot::admin(const std::string& method, const std::string& path,
                                  const std::string& body) {
  return http_request(port_, method, path, body);
}

SimpleResponse FakeHubspot::api(const std::string& method, const std::string& target,
                                const std::string& body) {
  return http_request(port_, method, target, body, {{"Authorization", "Bearer " + token_}});
}

bool is_crm_write_route(const std::string& route) {
  const bool read = route.rfind("GET ", 0) == 0 || route.find("/search") != std::string::npos ||
                    route.find("/batch/read") != std::string::npos;
  return !read && route.find("/crm/") != std::string::npos;
}

long FakeHubspot::crm_writes() {
  auto r = admin("GET", "/_fake/stats");
  if (r.status != 200)
    throw std::runtime_error("GET /_fake/stats: " + std::to_string(r.status) + " " + r.body);
  const auto stats = nlohmann::json::parse(r.body);
  long writes = 0;
  for (auto it = stats.at("requests").begin(); it != stats.at("requests").end(); ++it)
    if (is_crm_write_route(it.key())) writes += it->get<long>();
  return writes;
}

}  // namespace leadsync::testing
