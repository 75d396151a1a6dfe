// /api/v1/agents/enroll-tokens (create, list, revoke) and the public /api/v1/agents/enroll.

#include <boost/json/array.hpp>

#include "agent_json.h"
#include "placement.h"
#include "route_support.h"

namespace sentinel::agents {
namespace {

using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "agents:read";
constexpr std::string_view kWrite = "agents:write";

Result<Response> create_token(EnrollmentService& enrollment, Request& request) {
  // `sentinelctl agents enroll-token` without options may send no body at all.
  const std::string_view body_text = request.body.empty() ? std::string_view("{}") : request.body;
  SENTINEL_ASSIGN(body,
                  gateway::parse_json_object(body_text, {"group", "labels", "expires_in_minutes"}));
  EnrollmentTokenSpec spec;
  SENTINEL_ASSIGN(group, gateway::optional_string(body, "group"));
  SENTINEL_ASSIGN(minutes, gateway::optional_integer(body, "expires_in_minutes"));
  SENTINEL_TRY(read_labels_field(body, spec.labels, nullptr));
  spec.group = group.value_or("");
  spec.expires_in_minutes = minutes;
  SENTINEL_ASSIGN(created, enrollment.create_token(request.caller(), spec, client_of(request)));
  const boost::json::object reply = enrollment_token_json(created.view);
  return uncached_json(boost::json::object{{"id", created.view.id},
                                           {"token", created.token.reveal()},
                                           {"expires_at", reply.at("expires_at")},
                                           {"group", reply.at("group")},
                                           {"labels", reply.at("labels")},
                                           {"command", created.command}},
                       201);
}

Result<Response> list_tokens(EnrollmentService& enrollment) {
  SENTINEL_ASSIGN(tokens, enrollment.list_tokens());
  boost::json::array items;
  for (const EnrollmentTokenView& token : tokens) items.emplace_back(enrollment_token_json(token));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

Result<Response> revoke_token(EnrollmentService& enrollment, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "enrolment token"));
  SENTINEL_TRY(enrollment.revoke_token(request.caller(), id, client_of(request)));
  return Response::no_content();
}

Result<Response> enroll(EnrollmentService& enrollment, Request& request) {
  SENTINEL_ASSIGN(
      body, gateway::parse_json_object(request.body, {"token", "csr", "hostname", "os", "kernel",
                                                      "arch", "agent_version"}));
  EnrollmentRequest enrollment_request;
  SENTINEL_ASSIGN(token, gateway::required_string(body, "token"));
  SENTINEL_ASSIGN(csr, gateway::required_string(body, "csr"));
  SENTINEL_ASSIGN(hostname, gateway::required_string(body, "hostname"));
  SENTINEL_ASSIGN(os, gateway::optional_string(body, "os"));
  SENTINEL_ASSIGN(kernel, gateway::optional_string(body, "kernel"));
  SENTINEL_ASSIGN(arch, gateway::optional_string(body, "arch"));
  SENTINEL_ASSIGN(version, gateway::optional_string(body, "agent_version"));
  enrollment_request.token = Secret(std::move(token));
  enrollment_request.csr_pem = std::move(csr);
  enrollment_request.facts = {std::move(hostname), os.value_or(""), kernel.value_or(""),
                              arch.value_or(""), version.value_or("")};
  SENTINEL_ASSIGN(grant, enrollment.enroll(enrollment_request, client_of(request)));
  boost::json::object reply{{"agent_id", grant.agent_id},
                            {"certificate", grant.certificate_pem},
                            {"ca_certificate", grant.ca_certificate_pem},
                            {"channel_port", grant.channel_port},
                            {"heartbeat_s", grant.heartbeat_s}};
  if (!grant.channel_url.empty()) reply["channel_url"] = grant.channel_url;
  return uncached_json(reply, 201);
}

}  // namespace

Status register_enrollment_routes(gateway::Router& router, EnrollmentService& enrollment) {
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/agents/enroll-tokens",
                           std::string(kWrite),
                           "Create a one-time agent enrolment token (shown once) with the command "
                           "line to run on the host",
                           [&enrollment](Request& r) { return create_token(enrollment, r); },
                           {"group", "labels", "expires_in_minutes"}}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/agents/enroll-tokens", std::string(kRead),
                           "List enrolment tokens (never their text) with their state",
                           [&enrollment](Request&) { return list_tokens(enrollment); }}));
  SENTINEL_TRY(router.add({"DELETE", "/api/v1/agents/enroll-tokens/{id}", std::string(kWrite),
                           "Revoke an unused enrolment token",
                           [&enrollment](Request& r) { return revoke_token(enrollment, r); }}));
  return router.add({"POST",
                     "/api/v1/agents/enroll",
                     std::string(gateway::kPublic),
                     "Enrol an agent: exchange a one-time token and a CSR for an agent id and a "
                     "client certificate",
                     [&enrollment](Request& r) { return enroll(enrollment, r); },
                     {"token", "csr", "hostname", "os", "kernel", "arch", "agent_version"}});
}

}  // namespace sentinel::agents
