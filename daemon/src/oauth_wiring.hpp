#pragma once
// The daemon's side of OAuth: keeping a refresh token HubSpot rotated.
//   keep_refresh_token  - after a rotation: rewrites hubspot.oauth.refresh_token_file atomically (temp file
//                         in the same directory, mode 0600, fsync, rename), or, when there is no file or it
//                         cannot be written, logs a loud warning saying what the operator must do before the
//                         next start. Never logs the token.
//   oauth_options       - the OAuthTokenProvider's options from the configuration and the secrets; the token
//                         endpoint is the provider's default unless hubspot.oauth.token_path is set.
// Errors: write_secret_file_atomically throws std::runtime_error naming the path and the system error;
// keep_refresh_token throws nothing.
#include <filesystem>
#include <string>

#include "leadsync/config/app_config.hpp"
#include "leadsync/config/secrets.hpp"
#include "leadsync/hubspot/token_provider.hpp"

namespace leadsync::daemon {

// Replaces `path` with `content` plus a newline, readable and writable by its owner only; on failure the
// old file is left as it was and no temporary file remains.
void write_secret_file_atomically(const std::filesystem::path& path, const std::string& content);

enum class RefreshTokenKept { written_to_file, not_kept };
RefreshTokenKept keep_refresh_token(const config::OAuthConfig& oauth, const std::string& refresh_token);

hubspot::OAuthOptions oauth_options(const config::OAuthConfig& oauth, const config::OAuthSecrets& secrets);

}  // namespace leadsync::daemon
