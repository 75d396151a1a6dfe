#pragma once
// Sends block commands to the online agents of a scope on a few threads of its own, so that
// neither an HTTP request nor the detect thread waits for an agent, and a slow agent holds one
// worker for at most the command timeout.

#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "firewall_commands.h"
#include "sentinel/agents/agent_channel.h"
#include "sentinel/agents/agent_registry.h"
#include "sentinel/firewall/block.h"
#include "server_host_agents.h"

namespace sentinel::firewall {

/// True when `scope` covers `agent` (its id, or its group).
bool scope_covers(const BlockScope& scope, const agents::AgentRecord& agent);

/// One command for every online agent of `scope`, except the agents a `spared` scope covers.
struct ScopedCommand {
  BlockScope scope;
  std::vector<BlockScope> spared;
  std::string name;  // "firewall_block" or "firewall_unblock"
  boost::json::object args;
};

/// Who left which addresses of a `firewall_block` out for an agent: the agent itself (its
/// answer's "left_out": the server it reports to) or the server (the agent runs on the
/// server's host and the addresses are other agents', server_host_agents.h).
enum class LeftOutBy { kAgent, kServer };

/// Called on a dispatch worker for each agent that did not get every address of a block.
using LeftOutSink = std::function<void(const std::string& agent_id, LeftOutBy by,
                                       const std::vector<LeftOutBlock>& left_out)>;

/// Thread-safe. The registry and channel must outlive the dispatcher.
class BlockDispatcher {
 public:
  /// `host_addresses` are the server host's (agents there do not block other agents' addresses);
  /// `on_left_out` hears of addresses left out (may be empty).
  BlockDispatcher(agents::AgentRegistry& registry, agents::AgentChannel& channel,
                  std::size_t workers, std::size_t max_queued, std::chrono::milliseconds timeout,
                  HostAddresses host_addresses, LeftOutSink on_left_out);
  ~BlockDispatcher();
  BlockDispatcher(const BlockDispatcher&) = delete;
  BlockDispatcher& operator=(const BlockDispatcher&) = delete;

  /// Starts the workers. Commands submitted before are kept and sent then.
  void start();
  /// Refuses new commands, sends those queued, then joins the workers. Idempotent.
  void stop();
  /// Queues the command; false (logged) when the queue is full or the dispatcher stopped.
  bool submit(ScopedCommand command);
  /// Blocks until nothing is queued or being sent.
  void flush();

 private:
  struct AgentCommand {
    std::string agent_id;
    std::string name;
    boost::json::object args;
  };
  using Task = std::variant<ScopedCommand, AgentCommand>;

  bool push(Task task);
  void work();
  void fan_out(const ScopedCommand& command);
  void send(const AgentCommand& command);

  agents::AgentRegistry& registry_;
  agents::AgentChannel& channel_;
  const std::size_t worker_count_;
  const std::size_t max_queued_;
  const std::chrono::milliseconds timeout_;
  const HostAddresses host_addresses_;
  const LeftOutSink on_left_out_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Task> queue_;
  std::size_t busy_ = 0;
  bool started_ = false;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace sentinel::firewall
