#pragma once
// The daemon's stop and reload signals arrive at any moment, also while main() is still loading the
// configuration and connecting, before the daemon's signal handler exists. Their default action then would
// kill the process (a SIGTERM right after start ended with 143 instead of a clean stop). Holding them until
// the handler exists queues them instead: the handler then sees them as if they had come a moment later.
namespace leadsync::daemon {

// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread and in every thread it starts afterwards. Call
// first thing in main(), before any thread exists.
void hold_stop_signals() noexcept;

// Unblocks them in the calling thread: a signal that came meanwhile is delivered now. Call once the handler
// exists (Asio's signal_set queues a signal that arrives before anybody waits for it), or at once in a mode
// that keeps the default actions.
void release_stop_signals() noexcept;

}  // namespace leadsync::daemon
