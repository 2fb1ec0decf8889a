#include "dsn_redaction.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>

#include "leadsync/core/error.hpp"

namespace leadsync::db::detail {

namespace {

constexpr const char* kRedacted = "[redacted]";

std::string percent_decoded(const std::string& s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool is_uri(const std::string& dsn) {
  return dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
}

// The password of a URI as written, found without trusting the URI to be well-formed: the userinfo is
// everything between "://" and the last '@' before the query, its password everything after the first ':'.
void uri_passwords(const std::string& dsn, std::vector<std::string>& out) {
  const auto start = dsn.find("://") + 3;
  const auto query = dsn.find('?', start);
  const auto at = dsn.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (at != std::string::npos && at >= start) {
    const auto userinfo = dsn.substr(start, at - start);
    const auto colon = userinfo.find(':');
    if (colon != std::string::npos) out.push_back(userinfo.substr(colon + 1));
  }
  // ?password=... (and &password=...) up to the next '&'.
  for (auto p = query; p != std::string::npos && p < dsn.size(); p = dsn.find('&', p + 1)) {
    const auto key = dsn.find("password=", p + 1);
    if (key != p + 1) continue;
    const auto value = key + 9;
    const auto end = dsn.find('&', value);
    out.push_back(dsn.substr(value, end == std::string::npos ? std::string::npos : end - value));
  }
}

// The password of a keyword/value DSN as written: the token after `password =`, quoted or not.
void keyword_passwords(const std::string& dsn, std::vector<std::string>& out) {
  for (auto p = dsn.find("password"); p != std::string::npos; p = dsn.find("password", p + 1)) {
    auto i = p + 8;
    while (i < dsn.size() && (dsn[i] == ' ' || dsn[i] == '\t')) ++i;
    if (i >= dsn.size() || dsn[i] != '=') continue;
    ++i;
    while (i < dsn.size() && (dsn[i] == ' ' || dsn[i] == '\t')) ++i;
    std::string value;
    if (i < dsn.size() && dsn[i] == '\'') {
      // Quoted: up to the closing quote (or the end when it is missing); keep the unescaped value too.
      std::string unescaped;
      const auto open = i++;
      for (; i < dsn.size() && dsn[i] != '\''; ++i) {
        if (dsn[i] == '\\' && i + 1 < dsn.size()) ++i;
        unescaped += dsn[i];
      }
      out.push_back(dsn.substr(open + 1, i - open - 1));
      out.push_back(unescaped);
    } else {
      const auto end = dsn.find_first_of(" \t\n\r", i);
      value = dsn.substr(i, end == std::string::npos ? std::string::npos : end - i);
      out.push_back(value);
      // A password with an unquoted space: libpq would quote its second word as a keyword without '='.
      if (end != std::string::npos) {
        const auto next_end = dsn.find_first_of(" \t\n\r=", end + 1);
        out.push_back(
            dsn.substr(end + 1, next_end == std::string::npos ? std::string::npos : next_end - end - 1));
      }
    }
  }
}

// The password libpq itself reads from `dsn`, when it can parse it.
void parsed_password(const std::string& dsn, std::vector<std::string>& out) {
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts(PQconninfoParse(dsn.c_str(), &err),
                                                                    &PQconninfoFree);
  if (err) PQfreemem(err);
  if (!opts) return;
  for (auto* o = opts.get(); o->keyword; ++o)
    if (std::string_view(o->keyword) == "password" && o->val) out.emplace_back(o->val);
}

std::mutex& secrets_mutex() {
  static std::mutex m;
  return m;
}

std::set<std::string, bool (*)(const std::string&, const std::string&)>& remembered() {
  // Longest first, so that a DSN is replaced whole before its password inside it.
  static std::set<std::string, bool (*)(const std::string&, const std::string&)> s(
      [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
      });
  return s;
}

// libpq's reason for refusing a DSN, without the DSN pieces it quotes ("..." and '...').
std::string without_quoted_parts(const std::string& text) {
  std::string out;
  bool in_quote = false;
  for (char c : text) {
    if (c == '"') {
      out += in_quote ? "…\"" : "\"";
      in_quote = !in_quote;
      continue;
    }
    if (!in_quote) out += c == '\n' ? ' ' : c;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

std::vector<std::string> dsn_secrets(const std::string& dsn) {
  std::vector<std::string> found;
  if (is_uri(dsn))
    uri_passwords(dsn, found);
  else
    keyword_passwords(dsn, found);
  parsed_password(dsn, found);
  std::vector<std::string> out;
  for (const auto& f : found) {
    if (f.empty()) continue;
    out.push_back(f);
    out.push_back(percent_decoded(f));
  }
  if (!out.empty()) out.push_back(dsn);
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void remember_dsn_secrets(const std::string& dsn) {
  auto secrets = dsn_secrets(dsn);
  std::lock_guard lock(secrets_mutex());
  remembered().insert(secrets.begin(), secrets.end());
}

std::string redact_dsn_secrets(std::string text) {
  // A password of a few characters is replaced only where it stands alone ("pw", not the "pw" in "pwd"):
  // replaced everywhere, it would garble every message.
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  std::lock_guard lock(secrets_mutex());
  for (const auto& secret : remembered()) {
    const bool whole_word_only = secret.size() < 4;
    for (auto p = text.find(secret); p != std::string::npos;) {
      const auto end = p + secret.size();
      if (whole_word_only && ((p > 0 && is_word(text[p - 1])) || (end < text.size() && is_word(text[end])))) {
        p = text.find(secret, p + 1);
        continue;
      }
      text.replace(p, secret.size(), kRedacted);
      p = text.find(secret, p + std::strlen(kRedacted));
    }
  }
  return text;
}

void check_dsn_syntax(const std::string& dsn) {
  remember_dsn_secrets(dsn);
  char* err = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> opts(PQconninfoParse(dsn.c_str(), &err),
                                                                    &PQconninfoFree);
  if (opts) {
    if (err) PQfreemem(err);
    return;
  }
  std::string reason = err ? without_quoted_parts(err) : std::string("out of memory");
  if (err) PQfreemem(err);
  throw core::fatal_error(
      "the database DSN (the value behind database.dsn_env / dsn_file / dsn) is malformed: " +
          redact_dsn_secrets(reason) +
          " (quoted parts of the DSN left out; see libpq's \"Connection Strings\")",
      core::ErrorDetails{.category = "CONFIG"});
}

}  // namespace leadsync::db::detail
