#pragma once
// The auth service's HTTP routes.

#include "sentinel/auth/auth_service.h"
#include "sentinel/common/result.h"
#include "sentinel/gateway/router.h"

namespace sentinel::auth {

/// The session cookie's name.
inline constexpr std::string_view kSessionCookie = "sentinel_session";

/// Adds /api/v1/auth/*, /users, /roles, /sessions, /tokens and /settings/auth, each declaring its
/// permission. `service` must outlive the router.
Status register_auth_routes(gateway::Router& router, AuthService& service);

}  // namespace sentinel::auth
