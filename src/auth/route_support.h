#pragma once
// Shared pieces of the auth routes: per-area registration, request helpers, JSON views.

#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

#include "sentinel/auth/auth_service.h"
#include "sentinel/gateway/request_params.h"
#include "sentinel/gateway/router.h"

namespace sentinel::auth {

Status register_login_routes(gateway::Router& router, AuthService& service);
Status register_totp_routes(gateway::Router& router, AuthService& service);
Status register_user_routes(gateway::Router& router, AuthService& service);
Status register_role_routes(gateway::Router& router, AuthService& service);
Status register_session_routes(gateway::Router& router, AuthService& service);
Status register_token_routes(gateway::Router& router, AuthService& service);

using gateway::client_of;
/// True for ?all=true.
bool wants_all(const gateway::Request& request);

boost::json::object user_json(const UserView& user);
/// The user with the caller's effective permissions and the enrolment flag.
boost::json::object identity_json(const Identity& identity);
boost::json::object role_json(const RoleView& role);
boost::json::object session_json(const SessionView& session);
boost::json::object token_json(const TokenView& token);

}  // namespace sentinel::auth
