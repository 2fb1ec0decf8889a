#pragma once
// Keeps the secrets leadsync holds in memory (HubSpot token, OAuth client secret and refresh token, the
// database DSN) out of core dumps and away from same-user debuggers: call first thing in main().
namespace leadsync::daemon {

// Sets RLIMIT_CORE to 0 (soft and hard: not even a child can raise it again) and marks the process
// non-dumpable (prctl PR_SET_DUMPABLE 0: no core file, no ptrace attach or /proc/PID/mem, environ, ...
// by processes of the same user). Best effort: returns false when either call failed.
bool disable_core_dumps() noexcept;

}  // namespace leadsync::daemon
