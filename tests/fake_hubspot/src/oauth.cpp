#include "oauth.hpp"

#include <algorithm>

namespace leadsync::fake_hubspot {

void OAuthState::clear() {
  clients_.clear();
  refresh_.clear();
  access_.clear();
  issued_ = 0;
}

void OAuthState::add_client(const std::string& client_id, const std::string& client_secret,
                            const std::string& refresh_token) {
  auto [it, inserted] = clients_.try_emplace(client_id);
  if (inserted) it->second.index = clients_.size() - 1;
  it->second.secret = client_secret;
  refresh_[refresh_token] = client_id;
}

std::size_t OAuthState::client_index(const std::string& client_id) const {
  auto it = clients_.find(client_id);
  return it == clients_.end() ? 0 : it->second.index;
}

std::optional<OAuthFailure> OAuthState::refresh(const std::string& client_id,
                                                const std::string& client_secret,
                                                const std::string& refresh_token, bool rotate,
                                                std::int64_t ttl_s, std::int64_t now_ms, Uuid& uuid,
                                                OAuthGrant& out) {
  auto c = clients_.find(client_id);
  if (c == clients_.end() || c->second.secret != client_secret) return OAuthFailure::invalid_client;
  auto r = refresh_.find(refresh_token);
  if (r == refresh_.end() || r->second != client_id) return OAuthFailure::invalid_grant;
  out.access_token = "fake-oauth-at-" + uuid.next();
  out.expires_in_s = ttl_s;
  access_[out.access_token] = {client_id, now_ms + ttl_s * 1000};
  ++issued_;
  if (rotate) {
    refresh_.erase(r);
    out.refresh_token = "fake-oauth-rt-" + uuid.next();
    refresh_[out.refresh_token] = client_id;
  } else {
    out.refresh_token = refresh_token;
  }
  return std::nullopt;
}

bool OAuthState::revoke(const std::string& refresh_token) {
  return refresh_.erase(refresh_token) != 0;
}

void OAuthState::expire_access_tokens(std::int64_t now_ms) {
  for (auto& [token, a] : access_) a.expires_ms = std::min(a.expires_ms, now_ms);
}

const OAuthAccess* OAuthState::access(const std::string& token) const {
  auto it = access_.find(token);
  return it == access_.end() ? nullptr : &it->second;
}

std::vector<std::string> OAuthState::clients() const {
  std::vector<std::string> out;
  for (const auto& [id, c] : clients_) out.push_back(id);
  return out;
}

std::vector<std::string> OAuthState::refresh_tokens() const {
  std::vector<std::string> out;
  for (const auto& [token, client] : refresh_) out.push_back(token);
  return out;
}

std::size_t OAuthState::live_access_tokens(std::int64_t now_ms) const {
  std::size_t n = 0;
  for (const auto& [token, a] : access_) n += a.expires_ms > now_ms;
  return n;
}

}  // namespace leadsync::fake_hubspot
