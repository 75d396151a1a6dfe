// /api/v1/sessions: list and revoke.

#include <boost/json/array.hpp>

#include "route_support.h"

namespace sentinel::auth {
namespace {

using gateway::Request;
using gateway::Response;

Result<Response> list(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(sessions, service.list_sessions(request.caller(), wants_all(request)));
  boost::json::array items;
  for (const auto& session : sessions) items.emplace_back(session_json(session));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> revoke(AuthService& service, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "session"));
  SENTINEL_TRY(service.revoke_session(request.caller(), id, client_of(request)));
  return Response::no_content();
}

}  // namespace

Status register_session_routes(gateway::Router& router, AuthService& service) {
  const std::string permission(gateway::kAuthenticated);
  SENTINEL_TRY(router.add({"GET", "/api/v1/sessions", permission,
                           "Your live sessions; ?all=true lists everyone's (sessions:admin)",
                           [&service](Request& r) { return list(service, r); }}));
  return router.add({"DELETE", "/api/v1/sessions/{id}", permission,
                     "End a session: your own, or anyone's with sessions:admin",
                     [&service](Request& r) { return revoke(service, r); }});
}

}  // namespace sentinel::auth
