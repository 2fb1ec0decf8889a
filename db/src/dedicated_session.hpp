#pragma once
// Internal to leadsync_db: helpers for the daemon's dedicated, long-lived sessions (leader lock, LISTEN).
// Such a session carries state that dies with it (a session advisory lock, a LISTEN registration), so it
// must never be silently re-established by libpqxx's automatic reactivation, and a dead peer must be
// noticed within seconds rather than after the kernel's two-hour keepalive default.
#include <pqxx/pqxx>

namespace leadsync::db::detail {

// libpqxx 6 reconnects a broken connection on next use unless told not to; that API is deprecated (7.x
// dropped reactivation altogether) but still the only way to switch it off in 6.4.
inline void inhibit_reactivation(pqxx::connection_base& conn) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn.inhibit_reactivation(true);
#pragma GCC diagnostic pop
}

// TCP keepalives and a user timeout on both ends of the session's socket: the client notices a vanished
// server (and the server a vanished client, releasing its locks) within about 15 s. Unix-domain sockets
// ignore these settings, which is fine: their peer's death is seen at once.
void enable_fast_dead_peer_detection(pqxx::connection_base& conn);

}  // namespace leadsync::db::detail
