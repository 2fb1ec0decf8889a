#pragma once
// The one error taxonomy of leadsync. Every failure that crosses a module boundary is a core::Error
// whose kind() says what the caller should do:
//   transient - retry later with backoff (429, 5xx, timeouts, dropped connections, serialization failures)
//   record    - permanent for one record (400/404/409 validation, constraint violation): mark that
//               change FAILED with the reason and carry on with the others
//   fatal     - stop with a clear message (401/403, bad configuration, missing schema, in-doubt commit)
// Errors are classified once, at the edge that first sees them (HTTP client, PostgreSQL store).
// Messages never contain secrets: producers are responsible for masking before constructing.
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace leadsync::core {

enum class ErrorKind { transient, record, fatal };

// Why a fatal error happened, where the producer knows something the caller acts on. A credential the
// server revoked or let expire (an OAuth refresh token answered with invalid_grant) cannot heal by
// waiting or by reloading the same configuration: the daemon stops with exit 69 instead of retrying.
enum class FatalCause { unspecified, credentials_revoked };

const char* to_string(ErrorKind kind) noexcept;

// What the remote side (HubSpot or PostgreSQL) said, kept verbatim for logs and leadsync.changes.
struct ErrorDetails {
  int http_status = 0;         // 0 when the error did not come from an HTTP response
  std::string category;        // HubSpot `category` (VALIDATION_ERROR, ...) or SQLSTATE for PostgreSQL
  std::string sub_category;    // HubSpot `subCategory`, when sent
  std::string correlation_id;  // HubSpot `correlationId` / X-HubSpot-Correlation-Id
  std::string policy;          // rate-limit policy for 429s (TEN_SECONDLY_ROLLING, DAILY, SECONDLY)
  std::map<std::string, std::vector<std::string>> context;  // HubSpot `context`, e.g. {"id": ["42"]}
  std::optional<std::chrono::milliseconds> retry_after;     // server-requested wait, when known
  FatalCause cause = FatalCause::unspecified;               // set by the producer, never from message text
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message, ErrorDetails details = {});

  ErrorKind kind() const noexcept { return kind_; }
  const ErrorDetails& details() const noexcept { return details_; }
  bool is_transient() const noexcept { return kind_ == ErrorKind::transient; }
  bool is_record() const noexcept { return kind_ == ErrorKind::record; }
  bool is_fatal() const noexcept { return kind_ == ErrorKind::fatal; }

 private:
  ErrorKind kind_;
  ErrorDetails details_;
};

// Convenience constructors; they read better at throw sites than the enum.
Error transient_error(const std::string& message, ErrorDetails details = {});
Error record_error(const std::string& message, ErrorDetails details = {});
Error fatal_error(const std::string& message, ErrorDetails details = {});

}  // namespace leadsync::core
