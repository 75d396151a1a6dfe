#include "agent/daemon/enrolment.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <filesystem>

#include "agent/daemon/host_facts.h"
#include "agent/daemon/state_file.h"
#include "client/api_client.h"

namespace sentinel::agent {
namespace {

bool is_hex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// "https://host:port" -> "host"; IPv6 hosts keep their brackets.
std::string host_of(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (!rest.empty() && rest.front() == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.rfind(':'));
}

Result<std::string> string_field(const boost::json::object& body, std::string_view key) {
  const auto* value = body.if_contains(key);
  if (value == nullptr || !value->is_string() || value->as_string().empty()) {
    return invalid_argument(fmt::format("the server's enrolment reply lacks '{}'", key));
  }
  return std::string(value->as_string());
}

}  // namespace

Result<EnrolmentToken> parse_enrolment_token(const std::string& text) {
  const auto first = text.find('.');
  const auto last = text.rfind('.');
  if (text.rfind("se1.", 0) != 0 || first == last) {
    return invalid_argument(
        "the enrolment token is not one sentinelctl or the portal made "
        "(expected se1.<secret>.<pin>)",
        "enroll-token");
  }
  std::string pin = text.substr(last + 1);
  if (pin.size() != 64 || !is_hex(pin) || last - first - 1 < 32) {
    return invalid_argument("the enrolment token is damaged (copy it again)", "enroll-token");
  }
  return EnrolmentToken{Secret(text), std::move(pin)};
}

Result<AgentConfig> enrol(const EnrolmentRequest& request, AgentConfig base) {
  SENTINEL_ASSIGN(token, parse_enrolment_token(request.token));
  const HostFacts facts = host_facts();
  SENTINEL_ASSIGN(keys, make_key_and_request(facts.hostname));

  client::ClientOptions options;
  options.base_url = request.server_url;
  options.user_agent = "sentinel-agent/" + request.agent_version;
  if (request.ca_file.empty()) {
    options.pinned_public_key_sha256 = token.pin;
  } else {
    options.ca_file = request.ca_file;
  }
  SENTINEL_ASSIGN(api, client::ApiClient::create(options));
  const boost::json::object body{{"token", token.text.reveal()},
                                 {"csr", keys.csr_pem},
                                 {"hostname", facts.hostname},
                                 {"os", facts.os},
                                 {"kernel", facts.kernel},
                                 {"arch", facts.arch},
                                 {"agent_version", request.agent_version}};
  SENTINEL_ASSIGN(reply, api.post("/api/v1/agents/enroll", body));
  if (!reply.ok()) {
    const auto problem = reply.api_error();
    const std::string why = problem ? problem->message : fmt::format("HTTP {}", reply.status);
    if (reply.status == 401) {
      return unauthenticated("enrolment refused: " + why +
                             " (tokens work once and expire; create a new one)");
    }
    return unavailable("enrolment failed: " + why);
  }
  SENTINEL_ASSIGN(json, reply.json());
  if (!json.is_object()) return invalid_argument("the server's enrolment reply is not an object");
  const boost::json::object& answer = json.as_object();
  SENTINEL_ASSIGN(certificate, string_field(answer, "certificate"));
  SENTINEL_ASSIGN(ca, string_field(answer, "ca_certificate"));
  std::string channel;
  if (const auto* url = answer.if_contains("channel_url"); url != nullptr && url->is_string()) {
    channel = std::string(url->as_string());
  } else if (const auto* port = answer.if_contains("channel_port");
             port != nullptr && port->is_int64()) {
    channel = fmt::format("{}:{}", host_of(request.server_url), port->as_int64());
  } else {
    return invalid_argument("the server's enrolment reply names no channel");
  }
  // A new identity starts from nothing: the old spool's sequence numbers and inventory
  // baseline belong to the agent id this host had before.
  for (const char* stale : {"spool.db", "spool.db-wal", "spool.db-shm", "central.json"}) {
    std::filesystem::remove(request.data_dir + "/" + stale);
  }
  std::filesystem::remove_all(request.data_dir + "/inventory");
  SENTINEL_TRY(save_identity(request.data_dir, keys.key_pem, certificate, ca));

  base.server = request.server_url;
  base.channel = channel;
  if (const auto* heartbeat = answer.if_contains("heartbeat_s");
      heartbeat != nullptr && heartbeat->is_int64()) {
    base.heartbeat_s = heartbeat->as_int64();
  }
  SENTINEL_TRY(write_file_atomically(request.data_dir + "/agent.yaml", to_yaml(base), 0600));
  return base;
}

}  // namespace sentinel::agent
