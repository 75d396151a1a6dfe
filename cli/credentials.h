#pragma once
// The credentials file that `sentinelctl login` writes: server URL and API token, mode 0600.

#include <filesystem>
#include <optional>
#include <string>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::ctl {

/// What login stores and later commands use when --server / --token are not given.
struct Credentials {
  std::string server;
  Secret token;
  std::string token_id;  // to revoke it at logout
  std::string username;
  std::string ca_file;  // absolute path, or empty
};

/// $SENTINEL_CONFIG_DIR/credentials.json, else $XDG_CONFIG_HOME/sentinel/..., else
/// ~/.config/sentinel/credentials.json.
std::filesystem::path default_credentials_path();

/// The stored credentials; nullopt when the file does not exist.
Result<std::optional<Credentials>> load_credentials(const std::filesystem::path& path);

/// Writes the file atomically with mode 0600, creating its directory with mode 0700.
Status save_credentials(const std::filesystem::path& path, const Credentials& credentials);

/// Deletes the file; absent is fine.
Status remove_credentials(const std::filesystem::path& path);

}  // namespace sentinel::ctl
