#pragma once
// Fault injection (POST /_fake/faults): rules matched by HTTP method and path prefix that make the
// next N matching API requests fail the way real portals and their proxies fail. The JSON format is
// documented in tests/fake_hubspot/README.md.
// Not thread-safe (used under the App's mutex). parse_fault throws std::invalid_argument with a
// message naming the bad field.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leadsync::fake_hubspot {

enum class FaultKind {
  status,                // an HTTP status with HubSpot's body for it
  rate_limit,            // 429 with the body of a policy (TEN_SECONDLY_ROLLING, DAILY, SECONDLY)
  delay,                 // wait, then answer normally
  drop_before_response,  // close the connection without answering
  drop_after_headers,    // send the head, then close
  drop_mid_body,         // send the head and half of the body, then close
  truncated_body,        // Content-Length larger than the bytes sent, then close
  invalid_json,          // 200 with a body that is not JSON
  redirect,              // a 3xx with a Location, as a proxy or a moved address answers
  gzip_body,             // the real response, gzip-encoded, although the client sent no Accept-Encoding
};

struct Fault {
  int id = 0;
  std::string method;       // "" = any
  std::string path_prefix;  // matched against the request path (no query)
  int remaining = 1;        // -1 = unlimited
  int fired = 0;
  FaultKind kind = FaultKind::status;
  int status = 500;
  std::string policy;               // rate_limit
  std::optional<int> retry_after;   // seconds, sent as Retry-After
  int delay_ms = 0;                 // before the fault takes effect (any kind)
  bool execute = false;             // whether the request is applied to the portal
  std::optional<std::string> body;  // overrides the default body
  std::optional<std::string> content_type;
  std::string location;  // redirect
};

Fault parse_fault(const nlohmann::json& j);
nlohmann::ordered_json fault_to_json(const Fault& f);
std::string_view fault_kind_name(FaultKind k);

class FaultTable {
 public:
  int add(Fault f);
  // The first armed fault matching the request; consumes one use. nullopt when none matches.
  std::optional<Fault> take(const std::string& method, const std::string& path);
  void clear() { faults_.clear(); }
  bool remove(int id);
  const std::vector<Fault>& faults() const { return faults_; }

 private:
  std::vector<Fault> faults_;
  int next_id_ = 1;
};

}  // namespace leadsync::fake_hubspot
