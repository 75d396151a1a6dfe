#include "bench/sim_agents.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <fstream>
#include <variant>

#include "agent/daemon/identity.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::bench {

Result<agent::ChannelEndpoint> enrol(client::ApiClient& api, const SimAgentOptions& options,
                                     int index) {
  SENTINEL_ASSIGN(token_reply, api.post("/api/v1/agents/enroll-tokens", boost::json::object{}));
  if (token_reply.status != 201) return unavailable("token: " + token_reply.body);
  SENTINEL_ASSIGN(token_json, token_reply.json());
  SENTINEL_ASSIGN(keys, agent::make_key_and_request("load"));
  SENTINEL_ASSIGN(reply,
                  api.post("/api/v1/agents/enroll",
                           boost::json::object{{"token", token_json.at("token")},
                                               {"csr", keys.csr_pem},
                                               {"hostname", fmt::format("load-{}", index)}}));
  if (reply.status != 201) return unavailable("enrol: " + reply.body);
  SENTINEL_ASSIGN(json, reply.json());
  const std::string pem = fmt::format("{}/agent-{}.pem", options.dir, index);
  const std::string ca = options.dir + "/ca.crt";
  std::ofstream(pem) << keys.key_pem << std::string_view(json.at("certificate").as_string());
  std::ofstream(ca) << std::string_view(json.at("ca_certificate").as_string());
  agent::ChannelEndpoint endpoint;
  endpoint.host = options.channel.substr(0, options.channel.rfind(':'));
  endpoint.port = options.channel.substr(options.channel.rfind(':') + 1);
  endpoint.ca_file = ca;
  endpoint.cert_file = pem;
  endpoint.key_file = pem;
  return endpoint;
}

Result<SimAgent> connect(const agent::ChannelEndpoint& endpoint, int index) {
  SENTINEL_ASSIGN(connection, agent::ChannelConnection::open(endpoint));
  SENTINEL_TRY(connection->send(protocol::encode(protocol::AgentMessage(
                                    protocol::Hello{.protocol = protocol::kProtocolVersion,
                                                    .agent_version = "0.1.0",
                                                    .hostname = fmt::format("load-{}", index),
                                                    .os = "load",
                                                    .kernel = "load",
                                                    .arch = "x86_64"})),
                                std::chrono::seconds(30)));
  SENTINEL_ASSIGN(frame, connection->receive(std::chrono::seconds(30)));
  SENTINEL_ASSIGN(message, protocol::decode_server_message(frame));
  const auto* welcome = std::get_if<protocol::Welcome>(&message);
  if (welcome == nullptr) return unavailable("the server's first message is not a welcome");
  return SimAgent{.id = welcome->agent_id, .connection = std::move(connection)};
}

}  // namespace sentinel::bench
