#pragma once
// Simulated agents for benchmarks: enrolled through the public API like real ones (token, CSR,
// certificate) and connected over the real mutual-TLS channel, speaking the agent protocol
// directly. Shared by agent_load's modes.

#include <memory>
#include <string>

#include "agent/channel/channel_connection.h"
#include "client/api_client.h"
#include "sentinel/common/result.h"

namespace sentinel::bench {

/// Where the simulated agents go and where they keep their keys.
struct SimAgentOptions {
  std::string channel;  // HOST:PORT of the agent channel
  std::string dir;      // key, certificate and CA files are written here
};

/// One connected simulated agent. Owns its connection; use from one thread at a time.
struct SimAgent {
  std::string id;  // the id the server's welcome gave
  std::unique_ptr<agent::ChannelConnection> connection;
};

/// Enrols agent number `index` (hostname load-INDEX) with `api` (needs agents:write) and
/// returns where and how to connect.
Result<agent::ChannelEndpoint> enrol(client::ApiClient& api, const SimAgentOptions& options,
                                     int index);

/// Connects, says hello and waits for the welcome.
Result<SimAgent> connect(const agent::ChannelEndpoint& endpoint, int index);

}  // namespace sentinel::bench
