#pragma once
// Exit codes of docs/design.md#exit-codes (sysexits-style where one exists). systemd's unit sets
// RestartPreventExitStatus=78: an invalid configuration is not fixed by restarting.
namespace leadsync::daemon {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRecordsFailed = 1;  // finished, but some records failed
inline constexpr int kExitUsage = 2;          // bad command line
inline constexpr int kExitUnavailable = 69;   // HubSpot or PostgreSQL unavailable, or credentials refused
inline constexpr int kExitSoftware = 70;      // internal error (a bug): the daemon stops, systemd restarts it
inline constexpr int kExitConfig = 78;        // invalid configuration (YAML, secrets, table/mapping mismatch)

}  // namespace leadsync::daemon
