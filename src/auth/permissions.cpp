#include "sentinel/auth/permissions.h"

#include <algorithm>

namespace sentinel::auth {

bool is_permission(std::string_view name) {
  return std::find(kPermissions.begin(), kPermissions.end(), name) != kPermissions.end();
}

const std::vector<BuiltinRole>& builtin_roles() {
  static const std::vector<BuiltinRole> roles = {
      {"admin", "Full control, including users, roles and settings",
       std::vector<std::string_view>(kPermissions.begin(), kPermissions.end())},
      {"analyst",
       "Investigates and responds: alerts, scans, firewall blocks; no user admin",
       {"roles:read", "audit:read", "settings:read", "agents:read", "agents:write", "events:read",
        "alerts:read", "alerts:write", "scans:read", "scans:write", "firewall:read",
        "firewall:write", "rules:read", "rules:write"}},
      {"viewer",
       "Read-only access to operational data",
       {"agents:read", "events:read", "alerts:read", "scans:read", "firewall:read", "rules:read"}},
  };
  return roles;
}

}  // namespace sentinel::auth
