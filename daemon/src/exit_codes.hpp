#pragma once
// Exit codes of docs/design.md#exit-codes (sysexits-style where one exists). systemd's unit sets
// RestartPreventExitStatus=78: an invalid configuration is not fixed by restarting.
#include "leadsync/core/error.hpp"

namespace leadsync::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRecordsFailed = 1;  // finished, but some records failed
inline constexpr int kExitUsage = 2;          // bad command line
inline constexpr int kExitUnavailable = 69;   // HubSpot or PostgreSQL unavailable, or credentials refused
inline constexpr int kExitSoftware = 70;      // internal error (a bug): the daemon stops, systemd restarts it
inline constexpr int kExitConfig = 78;        // invalid configuration (YAML, secrets, table/mapping mismatch)

// Which exit code a failure deserves: unreachable or failing services and refused credentials are 69
// (systemd restarts, and retrying may help); problems only the operator can fix are 78. The daemon's
// start-up and every one-shot mode use this one mapping.
int exit_code_for(const core::Error& e);

// True for a failure that neither waiting nor a reload of the same configuration can heal (a revoked OAuth
// refresh token): the daemon stops with exit_code_for(e) instead of retrying the cycle. A restart reads the
// credentials again.
bool stops_the_daemon(const core::Error& e);

}  // namespace leadsync::daemon
