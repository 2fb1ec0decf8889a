#include "logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <utility>

namespace leadsync::daemon {

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t len;
  std::uint32_t min;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0)
    len = 2, min = 0x80;
  else if ((c & 0xF0) == 0xE0)
    len = 3, min = 0x800;
  else if ((c & 0xF8) == 0xF0)
    len = 4, min = 0x10000;
  else
    return 0;
  if (i + len > s.size()) return 0;
  std::uint32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// A message longer than this is cut (a HubSpot error may quote a 65,536-character value): the log stays
// readable and a journal entry stays one entry.
constexpr std::size_t kMaxMessageBytes = std::size_t{8} * 1024;

// `text` cut to at most kMaxMessageBytes at a character boundary, and how many bytes were left out.
std::pair<std::string_view, std::size_t> truncated(std::string_view text) {
  if (text.size() <= kMaxMessageBytes) return {text, 0};
  std::size_t end = kMaxMessageBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return {text.substr(0, end), text.size() - end};
}

std::string truncation_note(std::size_t left_out) {
  return "... [" + std::to_string(left_out) + " more bytes not logged]";
}

class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const auto [text, left_out] = truncated(std::string_view(msg.payload.data(), msg.payload.size()));
    std::string escaped;
    append_json_escaped(escaped, text);
    if (left_out) escaped += truncation_note(left_out);
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

class TextMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    std::string escaped;
    append_text_escaped(escaped, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextMessageFlag>();
  }
};

// sd-daemon(3) priority prefix: journald reads it (SyslogLevelPrefix=yes, the default) and strips it.
class PriorityFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    const char* p = "<6>";
    switch (msg.level) {
      case spdlog::level::trace:
      case spdlog::level::debug:
        p = "<7>";
        break;
      case spdlog::level::info:
        p = "<6>";
        break;
      case spdlog::level::warn:
        p = "<4>";
        break;
      case spdlog::level::err:
        p = "<3>";
        break;
      case spdlog::level::critical:
        p = "<2>";
        break;
      default:
        break;
    }
    dest.append(p, p + 3);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<PriorityFlag>(); }
};

}  // namespace

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const auto len = utf8_sequence(text, i)) {
        out.append(text.substr(i, len));
        i += len;
      } else {
        out += "\xEF\xBF\xBD";  // U+FFFD: JSON must be valid UTF-8
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

void append_text_escaped(std::string& out, std::string_view message) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto [text, left_out] = truncated(message);
  auto hex_byte = [&out](unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const auto len = utf8_sequence(text, i);
      // C1 controls (U+0080..U+009F, e.g. CSI) are escaped like C0 ones; invalid bytes byte by byte.
      if (len == 0 || (len == 2 && c == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0)) {
        hex_byte(c);
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((c < 0x20 && c != '\t') || c == 0x7F) {
      hex_byte(c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  if (left_out) out += truncation_note(left_out);
}

void setup_logging(config::LogLevel level, config::LogFormat format, bool progress_on_tty) {
  auto logger = spdlog::get("leadsync");
  if (!logger) {
    logger = spdlog::stderr_logger_mt("leadsync");
    spdlog::set_default_logger(logger);
  }
  const bool journal = std::getenv("JOURNAL_STREAM") != nullptr;
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<PriorityFlag>('P').add_flag<JsonMessageFlag>('j').add_flag<TextMessageFlag>('q');
  const std::string erase = progress_on_tty ? "\r\033[K" : "";
  if (format == config::LogFormat::json) {
    formatter->set_pattern(erase + std::string(journal ? "%P" : "") +
                           R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%j"})");
  } else {
    formatter->set_pattern(erase + (journal ? "%P%l: %q" : "%Y-%m-%dT%H:%M:%S.%eZ %l: %q"));
  }
  logger->set_formatter(std::move(formatter));
  switch (level) {
    case config::LogLevel::trace:
      logger->set_level(spdlog::level::trace);
      break;
    case config::LogLevel::debug:
      logger->set_level(spdlog::level::debug);
      break;
    case config::LogLevel::info:
      logger->set_level(spdlog::level::info);
      break;
    case config::LogLevel::warn:
      logger->set_level(spdlog::level::warn);
      break;
    case config::LogLevel::error:
      logger->set_level(spdlog::level::err);
      break;
  }
  logger->flush_on(spdlog::level::info);
}

}  // namespace leadsync::daemon
