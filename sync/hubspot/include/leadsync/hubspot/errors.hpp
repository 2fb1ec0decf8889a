#pragma once
// Errors specific to the HubSpot client. Everything the client throws is a core::Error (see
// core/error.hpp for the kinds); this header adds the one case the taxonomy alone cannot express:
//
//   InDoubtError (transient) - a create (POST /crm/v3/objects/leads or batch/create) failed in a way that
//     leaves its outcome unknown (timeout or connection lost after sending, 5xx, unreadable 2xx body) and
//     the client could not prove a retry safe (no unique key property configured, or not on every input).
//     The leads may or may not exist in HubSpot now: the caller must not blindly create them again.
//     trace_ids() lists the objectWriteTraceIds of the inputs concerned.
//
// Rate limiting: a DAILY exhaustion is a transient core::Error with details().policy == "DAILY" and
// details().retry_after set to the time left until the daily reset.
// Thread-safety: immutable values.
#include <string>
#include <vector>

#include "leadsync/core/error.hpp"

namespace leadsync::hubspot {

class InDoubtError : public core::Error {
 public:
  InDoubtError(const std::string& message, core::ErrorDetails details, std::vector<std::string> trace_ids);
  const std::vector<std::string>& trace_ids() const noexcept { return trace_ids_; }

 private:
  std::vector<std::string> trace_ids_;
};

// True when `e` is an InDoubtError.
bool is_in_doubt(const core::Error& e) noexcept;

// Rate-limit policy names as they appear in ErrorDetails::policy and ApiObserver::on_rate_limited.
inline constexpr const char* kPolicyTenSecondly = "TEN_SECONDLY_ROLLING";
inline constexpr const char* kPolicySecondly = "SECONDLY";
inline constexpr const char* kPolicyDaily = "DAILY";

}  // namespace leadsync::hubspot
