#pragma once
// JsonWriter: appends compact JSON to a std::string without building a DOM (the list endpoint serialises
// ~100 objects per request, nlohmann::json per object is too slow for the benchmark target).
// The caller is responsible for structure (commas are inserted automatically inside objects/arrays).
// Strings are escaped per RFC 8259 (", \, control characters); bytes >= 0x80 pass through (input
// strings come from nlohmann-parsed JSON and are valid UTF-8). Not thread-safe; never throws except
// std::bad_alloc.
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leadsync::fake_hubspot {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  void begin_object() {
    separate();
    out_.push_back('{');
    first_.push_back(true);
  }
  void end_object() {
    out_.push_back('}');
    first_.pop_back();
  }
  void begin_array() {
    separate();
    out_.push_back('[');
    first_.push_back(true);
  }
  void end_array() {
    out_.push_back(']');
    first_.pop_back();
  }
  // Object key; the next value call writes its value.
  void key(std::string_view k) {
    separate();
    append_string(out_, k);
    out_.push_back(':');
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
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out_.push_back('"');
    out_.append(buf, static_cast<std::size_t>(p - buf));
    out_.push_back('"');
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
    out_.push_back('"');
    out_.append(v);
    out_.push_back('"');
  }

  std::string& out() { return out_; }

  static void append_string(std::string& out, std::string_view v) {
    out.push_back('"');
    std::size_t start = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const auto c = static_cast<unsigned char>(v[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(v.data() + start, i - start);
      start = i + 1;
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
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
    if (first_.empty()) return;
    if (first_.back()) {
      first_.back() = false;
    } else {
      out_.push_back(',');
    }
  }

  std::string& out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace leadsync::fake_hubspot
