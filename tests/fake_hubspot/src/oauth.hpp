#pragma once
// The portal's OAuth side: registered apps (client id + secret), their refresh tokens, and the access
// tokens issued for them with their expiry. Refresh-token rotation (the old token stops working once a
// new one is issued) and revocation. Pure state; the HTTP shapes are in api_oauth.cpp.
// Not thread-safe (used under the App's mutex).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util.hpp"

namespace leadsync::fake_hubspot {

enum class OAuthFailure {
  invalid_client,  // unknown client_id or wrong client_secret
  invalid_grant,   // unknown, revoked, rotated-out or foreign refresh token
};

struct OAuthGrant {
  std::string access_token;
  std::string refresh_token;  // the one to use next time (new when rotating)
  std::int64_t expires_in_s = 0;
};

struct OAuthAccess {
  std::string client_id;
  std::int64_t expires_ms = 0;
};

class OAuthState {
 public:
  void clear();
  // Registers (or updates the secret of) a client and adds a refresh token for it.
  void add_client(const std::string& client_id, const std::string& client_secret,
                  const std::string& refresh_token);
  bool known_client(const std::string& client_id) const { return clients_.count(client_id) != 0; }
  // Index of the client in registration order (its app id is derived from it).
  std::size_t client_index(const std::string& client_id) const;

  // The refresh_token grant. On failure returns the failure and leaves everything unchanged.
  std::optional<OAuthFailure> refresh(const std::string& client_id, const std::string& client_secret,
                                      const std::string& refresh_token, bool rotate, std::int64_t ttl_s,
                                      std::int64_t now_ms, Uuid& uuid, OAuthGrant& out);
  // Revokes a refresh token (access tokens already issued stay valid until they expire).
  bool revoke(const std::string& refresh_token);
  // Every access token expires now.
  void expire_access_tokens(std::int64_t now_ms);

  const OAuthAccess* access(const std::string& token) const;
  std::vector<std::string> clients() const;
  std::vector<std::string> refresh_tokens() const;
  std::size_t live_access_tokens(std::int64_t now_ms) const;
  std::int64_t issued() const { return issued_; }

 private:
  struct Client {
    std::string secret;
    std::size_t index = 0;
  };
  std::map<std::string, Client> clients_;
  std::map<std::string, std::string> refresh_;  // refresh token -> client id
  std::map<std::string, OAuthAccess> access_;   // access token -> grant
  std::int64_t issued_ = 0;
};

}  // namespace leadsync::fake_hubspot
