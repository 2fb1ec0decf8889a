#pragma once
// JsonWriter: appends compact JSON to a std::string without building a DOM (the list endpoint serialises
// ~100 objects per request, nlohmann::json per object is too slow for the benchmark target).
// The caller is responsible for structure (commas are inserted automatically inside objects/arrays).
// Strings are escaped per RFC 8259 (", \, control characters); bytes >= 0x80 pass through (input
// strings come from nlohmann-parsed JSON and are valid UTF-8). Not thread-safe; never throws except
// std::bad_alloc.
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace leadsync::fake_hubspot {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_.push_back('{');
    first_[++depth_] = true;
  }
  void end_object() {
    out_.push_back('}');
    --depth_;
  }
  void begin_array() {
    separate();
    out_.push_back('[');
    first_[++depth_] = true;
  }
  void end_array() {
    out_.push_back(']');
    --depth_;
  }
  // Object key; the next value call writes its value.
  void key(std::string_view k) {
    separate();
    append_string(out_, k);
    out_.push_back(':');
    after_key_ = true;
  }
  // Object key given pre-quoted with its colon ("\"name\":"), for keys that need no escaping.
  void quoted_key(std::string_view quoted_with_colon) {
    separate();
    out_.append(quoted_with_colon);
    after_key_ = true;
  }
  void string(std::string_view v) {
    separate();
    append_string(out_, v);
  }
  void null() {
    separate();
    out_.append("null");
  }
  void boolean(bool v) {
    separate();
    out_.append(v ? "true" : "false");
  }
  void integer(std::int64_t v) {
    separate();
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out_.append(buf, static_cast<std::size_t>(p - buf));
  }
  // A decimal integer written as a JSON string ("512").
  void integer_string(std::uint64_t v) {
    separate();
    char buf[26];
    buf[0] = '"';
    auto [p, ec] = std::to_chars(buf + 1, buf + sizeof buf - 1, v);
    (void)ec;
    *p++ = '"';
    out_.append(buf, static_cast<std::size_t>(p - buf));
  }
  // Pre-serialised JSON value (e.g. from nlohmann::json::dump()).
  void raw(std::string_view json) {
    separate();
    out_.append(json);
  }
  // Raw text written as a string value without escaping: only for text known to need none
  // (ISO timestamps, ids).
  void plain_string(std::string_view v) {
    separate();
    if (v.size() <= 62) {
      char tmp[64];
      tmp[0] = '"';
      std::memcpy(tmp + 1, v.data(), v.size());
      tmp[v.size() + 1] = '"';
      out_.append(tmp, v.size() + 2);
    } else {
      out_.push_back('"');
      out_.append(v);
      out_.push_back('"');
    }
  }

  std::string& out() { return out_; }

  static void append_string(std::string& out, std::string_view v) {
    std::size_t first = 0;
    while (first < v.size() && !needs_escape(static_cast<unsigned char>(v[first]))) ++first;
    if (first == v.size()) {
      // The common case: nothing to escape, one append for short strings.
      if (v.size() <= 126) {
        char tmp[128];
        tmp[0] = '"';
        std::memcpy(tmp + 1, v.data(), v.size());
        tmp[v.size() + 1] = '"';
        out.append(tmp, v.size() + 2);
      } else {
        out.push_back('"');
        out.append(v);
        out.push_back('"');
      }
      return;
    }
    out.push_back('"');
    std::size_t start = 0;
    for (std::size_t i = first; i < v.size(); ++i) {
      const auto c = static_cast<unsigned char>(v[i]);
      if (!needs_escape(c)) continue;
      out.append(v.data() + start, i - start);
      start = i + 1;
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        default: {
          static constexpr char kHex[] = "0123456789abcdef";
          char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out.append(esc, 6);
        }
      }
    }
    out.append(v.data() + start, v.size() - start);
    out.push_back('"');
  }

 private:
  void separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (depth_ < 0) return;
    if (first_[depth_]) {
      first_[depth_] = false;
    } else {
      out_.push_back(',');
    }
  }

  static bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

  static constexpr int kMaxDepth = 64;
  std::string& out_;
  bool first_[kMaxDepth] = {};
  int depth_ = -1;
  bool after_key_ = false;
};

}  // namespace leadsync::fake_hubspot
