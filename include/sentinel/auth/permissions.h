#pragma once
// Every permission name, in one list, and the built-in roles.

#include <array>
#include <string_view>
#include <vector>

namespace sentinel::auth {

/// Every permission the platform knows. Routes name one of these (or kPublic / kAuthenticated).
inline constexpr std::array<std::string_view, 21> kPermissions = {
    "users:read",   "users:write",   "roles:read",     "roles:write",    "sessions:admin",
    "tokens:admin", "audit:read",    "settings:read",  "settings:write", "agents:read",
    "agents:write", "events:read",   "alerts:read",    "alerts:write",   "scans:read",
    "scans:write",  "firewall:read", "firewall:write", "rules:read",     "rules:write",
    "scans:admin",
};

bool is_permission(std::string_view name);

/// A built-in role and its permissions; built-in roles cannot be edited or deleted.
struct BuiltinRole {
  std::string_view name;
  std::string_view description;
  std::vector<std::string_view> permissions;
};

/// admin (everything), analyst (triage and scanning, no user or settings admin), viewer
/// (read-only).
const std::vector<BuiltinRole>& builtin_roles();

}  // namespace sentinel::auth
