#include "exit_codes.hpp"

#include "leadsync/db/pg_failure.hpp"

namespace leadsync::daemon {

int exit_code_for(const core::Error& e) {
  if (e.details().cause == core::FatalCause::credentials_revoked) return kExitUnavailable;
  if (e.details().category == "CONFIG") return kExitConfig;
  if (e.is_transient()) return kExitUnavailable;
  // A COMMIT whose outcome is unknown is fatal for the engine (never retried blindly) but says nothing
  // about the configuration: after a restart leadsync looks at what was committed.
  if (db::is_database_unavailable(e)) return kExitUnavailable;
  const int status = e.details().http_status;
  if (status != 0) return kExitUnavailable;  // HubSpot refused (401/403 and the like)
  return kExitConfig;                        // schema, mapping or permission problems
}

bool stops_the_daemon(const core::Error& e) {
  return e.is_fatal() && e.details().cause == core::FatalCause::credentials_revoked;
}

}  // namespace leadsync::daemon
