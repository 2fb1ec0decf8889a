#pragma once
// Internal: a JSON scanner for the bodies of a full sweep, driving a SAX handler of nlohmann's interface.
//
// Why: nlohmann's lexer reads a page a character at a time through its input adapter, counting lines and
// columns for error messages and appending every string character to a buffer; that was about a fifth of
// leadsync's CPU in an import. This scanner copies each string in one piece.
//
// It does only the common case and says `unsure` about everything else, for nlohmann's parser to redo from
// the start with a fresh handler: numbers, \u escapes, a byte-order mark, anything that is not well-formed
// JSON. What it does scan (objects, arrays, strings with the short escapes and well-formed UTF-8 in them,
// true, false, null) gives the handler the very events nlohmann's sax_parse gives it, in the same order, and
// it accepts a body only when nlohmann would (tests/unit/hubspot/json_scan_test.cpp compares the two).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::hubspot::detail {

enum class ScanResult {
  accepted,  // the whole body scanned, every event delivered and taken
  refused,   // the handler returned false for an event (as it would have under nlohmann's parser)
  unsure,    // something this scanner does not do: nlohmann's parser must read the body instead
};

namespace json_scan {

// Containers open at once beyond which the scanner stops and says `unsure`: it keeps its own stack (no
// recursion), so this only bounds the memory a hostile body can make it hold.
inline constexpr std::size_t kMaxDepth = 256;

// Bytes a string's fast loop stops at: the closing quote, a backslash, control characters (not allowed
// unescaped) and the lead bytes of multi-byte UTF-8 sequences (checked one sequence at a time).
struct StopTable {
  bool stop[256] = {};
  constexpr StopTable() {
    for (int c = 0; c < 0x20; ++c) stop[c] = true;
    for (int c = 0x80; c < 0x100; ++c) stop[c] = true;
    stop[static_cast<unsigned char>('"')] = true;
    stop[static_cast<unsigned char>('\\')] = true;
  }
};
inline constexpr StopTable kStop{};

inline bool in(unsigned char c, unsigned char lo, unsigned char hi) {
  return c >= lo && c <= hi;
}

// Length of the well-formed UTF-8 sequence at p (Unicode Table 3-7, as nlohmann's lexer checks it), or 0.
inline std::size_t utf8_sequence(const unsigned char* p, const unsigned char* end) {
  const auto left = static_cast<std::size_t>(end - p);
  const unsigned char c = p[0];
  if (in(c, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
  if (c == 0xE0) return left >= 3 && in(p[1], 0xA0, 0xBF) && in(p[2], 0x80, 0xBF) ? 3 : 0;
  if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF))
    return left >= 3 && in(p[1], 0x80, 0xBF) && in(p[2], 0x80, 0xBF) ? 3 : 0;
  if (c == 0xED) return left >= 3 && in(p[1], 0x80, 0x9F) && in(p[2], 0x80, 0xBF) ? 3 : 0;
  if (c == 0xF0)
    return left >= 4 && in(p[1], 0x90, 0xBF) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? 4 : 0;
  if (in(c, 0xF1, 0xF3))
    return left >= 4 && in(p[1], 0x80, 0xBF) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? 4 : 0;
  if (c == 0xF4)
    return left >= 4 && in(p[1], 0x80, 0x8F) && in(p[2], 0x80, 0xBF) && in(p[3], 0x80, 0xBF) ? 4 : 0;
  return 0;
}

// The string whose opening quote is at p[-1], into out; p ends after its closing quote. False: unsure.
inline bool read_string(const unsigned char*& p, const unsigned char* end, std::string& out) {
  out.clear();
  const unsigned char* run = p;
  for (;;) {
    while (p != end && !kStop.stop[*p]) ++p;
    if (p == end) return false;  // unterminated
    const unsigned char c = *p;
    if (c == '"') {
      out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
      ++p;
      return true;
    }
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence(p, end);
      if (!n) return false;
      p += n;
      continue;
    }
    if (c != '\\') return false;  // a control character
    out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (end - p < 2) return false;
    switch (p[1]) {
      case '"':
        out += '"';
        break;
      case '\\':
        out += '\\';
        break;
      case '/':
        out += '/';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      default:
        return false;  // \u (surrogate pairs and all) is left to nlohmann
    }
    p += 2;
    run = p;
  }
}

inline bool literal(const unsigned char*& p, const unsigned char* end, std::string_view word) {
  if (static_cast<std::size_t>(end - p) < word.size() ||
      std::string_view(reinterpret_cast<const char*>(p), word.size()) != word)
    return false;
  p += word.size();
  return true;
}

}  // namespace json_scan

// Scans `body` as one JSON value and hands its events to `handler` (nlohmann's json_sax interface). After
// `unsure` the handler has seen part of the body: use a fresh one for nlohmann's parser.
template <typename Handler>
ScanResult scan_json(std::string_view body, Handler& handler) {
  using namespace json_scan;
  const auto* p = reinterpret_cast<const unsigned char*>(body.data());
  const auto* const end = p + body.size();
  // What comes next: a value; a value or the end of the array just opened; a key or the end of the object
  // just opened; a key (after a comma in an object); a comma or the end of the enclosing container.
  enum class Want { value, value_or_end, key_or_end, key, after_value };
  Want want = Want::value;
  std::vector<char> open;  // '{' or '[' for each container not yet closed
  std::string text;
  constexpr auto kUnknownSize = static_cast<std::size_t>(-1);  // what nlohmann passes to start_object/array
  auto skip_whitespace = [&] {
    while (p != end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
  };
  for (;;) {
    skip_whitespace();
    if (want == Want::after_value && open.empty())  // the whole value read: only whitespace may follow
      return p == end ? ScanResult::accepted : ScanResult::unsure;
    if (p == end) return ScanResult::unsure;
    const unsigned char c = *p;
    // The end of the innermost container: right after it opened, or after one of its values.
    const bool may_close = want != Want::value && want != Want::key;  // not after a comma or at the root
    if (may_close && ((c == '}' && open.back() == '{') || (c == ']' && open.back() == '['))) {
      ++p;
      open.pop_back();
      if (!(c == '}' ? handler.end_object() : handler.end_array())) return ScanResult::refused;
      want = Want::after_value;
      continue;
    }
    switch (want) {
      case Want::value:
      case Want::value_or_end:
        ++p;
        if ((c == '{' || c == '[') && open.size() >= kMaxDepth) return ScanResult::unsure;
        if (c == '{') {
          if (!handler.start_object(kUnknownSize)) return ScanResult::refused;
          open.push_back('{');
          want = Want::key_or_end;
          break;
        }
        if (c == '[') {
          if (!handler.start_array(kUnknownSize)) return ScanResult::refused;
          open.push_back('[');
          want = Want::value_or_end;
          break;
        }
        want = Want::after_value;
        if (c == '"') {
          if (!read_string(p, end, text)) return ScanResult::unsure;
          if (!handler.string(text)) return ScanResult::refused;
        } else if (c == 't' && literal(p, end, "rue")) {
          if (!handler.boolean(true)) return ScanResult::refused;
        } else if (c == 'f' && literal(p, end, "alse")) {
          if (!handler.boolean(false)) return ScanResult::refused;
        } else if (c == 'n' && literal(p, end, "ull")) {
          if (!handler.null()) return ScanResult::refused;
        } else {
          return ScanResult::unsure;  // a number, or not JSON
        }
        break;
      case Want::key:
      case Want::key_or_end:
        if (c != '"') return ScanResult::unsure;
        ++p;
        if (!read_string(p, end, text)) return ScanResult::unsure;
        // nlohmann hands over the key before it reads the colon; so does this.
        if (!handler.key(text)) return ScanResult::refused;
        skip_whitespace();
        if (p == end || *p != ':') return ScanResult::unsure;
        ++p;
        want = Want::value;
        break;
      case Want::after_value:
        if (c != ',') return ScanResult::unsure;
        ++p;
        want = open.back() == '{' ? Want::key : Want::value;
        break;
    }
  }
}

}  // namespace leadsync::hubspot::detail
