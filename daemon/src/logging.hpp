#pragma once
// spdlog setup: one line per event on stderr, text or JSON (logging.format). Under systemd (JOURNAL_STREAM
// set) every line starts with a syslog priority prefix such as "<4>" that journald turns into the entry's
// priority, and the timestamp is left to the journal. JSON lines are always valid JSON: the message is
// escaped (quotes, backslashes, control characters; invalid UTF-8 becomes U+FFFD). Text lines are one line
// too: a message's line breaks and other control characters are escaped, so that text from HubSpot or a
// database cannot start a line of its own (a forged entry, or a "<2>" priority prefix under journald).
// Messages over 8 KiB are cut, saying how much was left out.
// setup_logging may be called again (SIGHUP) to change level and format; it never throws for valid enums.
// Thread-safety: call from the main thread; spdlog's loggers are thread-safe afterwards.
#include <string>
#include <string_view>

#include "leadsync/config/app_config.hpp"

namespace leadsync::daemon {

// progress_on_tty: a progress line is being redrawn on the same terminal; each log line then starts by
// erasing it (the next progress update draws it again below).
void setup_logging(config::LogLevel level, config::LogFormat format, bool progress_on_tty = false);

// Appends `text` as the inside of a JSON string literal (no surrounding quotes). Exposed for unit tests.
void append_json_escaped(std::string& out, std::string_view text);
// Appends a message as a text log line shows it: cut to 8 KiB; \n, \r as "\n", "\r"; other C0/C1 control
// characters and invalid UTF-8 bytes as "\xHH". Exposed for unit tests.
void append_text_escaped(std::string& out, std::string_view message);

}  // namespace leadsync::daemon
