#pragma once
// Internal to leadsync_db: keeps the DSN's password out of every text that leaves db/.
// libpq quotes pieces of a DSN it cannot parse ("invalid percent-encoded token: "p%zzw"", a whole URI after
// "unexpected character"), and such text used to reach the log, STATUS= (which `systemctl status` shows
// every local user), /readyz and the exit message. Every connection first checks the DSN's syntax here, and
// every error text db/ hands on passes through redact_dsn_secrets().
#include <string>
#include <vector>

namespace leadsync::db::detail {

// The spellings of `dsn`'s secrets that may appear in a message: the password as written and as decoded
// (keyword form, URI userinfo, URI `?password=`), and the whole DSN. Longest first; empty when there is none.
std::vector<std::string> dsn_secrets(const std::string& dsn);

// Remembers dsn_secrets(dsn) for redact_dsn_secrets() (the process uses a handful of DSNs: kept for its
// life).
void remember_dsn_secrets(const std::string& dsn);

// `text` with every remembered secret replaced by "[redacted]".
std::string redact_dsn_secrets(std::string text);

// Throws core::fatal_error (category CONFIG: the operator must fix the DSN) when libpq cannot parse `dsn`,
// with libpq's reason minus every quoted piece of the DSN. Remembers the DSN's secrets first.
void check_dsn_syntax(const std::string& dsn);

}  // namespace leadsync::db::detail
