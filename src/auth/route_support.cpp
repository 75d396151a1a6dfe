#include "route_support.h"

#include <boost/json/array.hpp>

namespace sentinel::auth {
namespace {

template <typename Range>
boost::json::array string_array(const Range& values) {
  boost::json::array out;
  for (const auto& value : values) out.emplace_back(value);
  return out;
}

boost::json::value optional_time(const std::optional<std::int64_t>& value) {
  return value ? boost::json::value(*value) : boost::json::value(nullptr);
}

}  // namespace

bool wants_all(const gateway::Request& request) {
  const auto all = request.query_param("all");
  return all && (*all == "true" || *all == "1");
}

boost::json::object user_json(const UserView& user) {
  return {{"id", user.id},
          {"username", user.username},
          {"display_name", user.display_name},
          {"roles", string_array(user.roles)},
          {"disabled", user.disabled},
          {"totp_enabled", user.totp_enabled},
          {"created_at", user.created_at_ms},
          {"updated_at", user.updated_at_ms}};
}

boost::json::object identity_json(const Identity& identity) {
  boost::json::object user = user_json(identity.user);
  user["permissions"] = string_array(identity.permissions);
  user["totp_enrollment_required"] = identity.totp_enrollment_required;
  return user;
}

boost::json::object role_json(const RoleView& role) {
  return {{"name", role.name},
          {"description", role.description},
          {"permissions", string_array(role.permissions)},
          {"builtin", role.builtin}};
}

boost::json::object session_json(const SessionView& session) {
  return {{"id", session.id},
          {"user_id", session.user_id},
          {"username", session.username},
          {"created_at", session.created_at_ms},
          {"last_seen_at", session.last_seen_at_ms},
          {"expires_at", session.expires_at_ms},
          {"source_address", session.source_address},
          {"user_agent", session.user_agent},
          {"current", session.current}};
}

boost::json::object token_json(const TokenView& token) {
  return {{"id", token.id},
          {"user_id", token.user_id},
          {"username", token.username},
          {"name", token.name},
          {"permissions", string_array(token.permissions)},
          {"created_at", token.created_at_ms},
          {"expires_at", optional_time(token.expires_at_ms)},
          {"last_used_at", optional_time(token.last_used_at_ms)},
          {"revoked", token.revoked}};
}

}  // namespace sentinel::auth
