// agent_load: simulated agents over the real mutual-TLS channel, for `make bench`.
//   hold:   N agents connect and send heartbeats; prints the server's memory per connection and
//           its CPU use while they idle.
//   ingest: N agents send event batches as fast as acknowledgements allow; prints the events
//           per second the server committed (acknowledged) end to end.
//   firewall: N agents answer the firewall commands as a real agent would (without nftables);
//           prints the time from a policy save to every agent having applied and confirmed it
//           (bench/firewall_push.h).
// Enrols its agents through the public API like real ones (token, CSR, certificate).

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "agent/channel/channel_connection.h"
#include "bench/firewall_push.h"
#include "bench/sim_agents.h"
#include "client/api_client.h"
#include "sentinel/protocol/agent_protocol.h"

namespace {

using namespace sentinel;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string server;
  std::string ca_file;
  std::string channel;  // HOST:PORT
  std::string mode = "hold";
  int agents = 100;
  int seconds = 30;
  int server_pid = 0;
  int heartbeat_s = 15;
  int batch = 1000;
  int window = 4;
  int rounds = 5;
  int addresses = 1000;
  std::string dir;
};

std::int64_t process_rss_kb(int pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atoll(line.c_str() + 6);
  }
  return 0;
}

double process_cpu_seconds(int pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) stime = std::atol(field.c_str());
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string heartbeat() {
  return protocol::encode(protocol::AgentMessage(protocol::Heartbeat{
      .time_ms = 1, .spool_pending = 0, .spool_bytes = 0, .rss_bytes = 1 << 20, .cpu_percent = 0}));
}

std::string batch_frame(std::int64_t first_seq, int count) {
  protocol::EventBatch batch;
  batch.events.reserve(count);
  for (int i = 0; i < count; ++i) {
    batch.events.push_back(protocol::Event{
        .seq = first_seq + i,
        .time_ms = 1767225600000 + first_seq + i,
        .type = "bench.event",
        .data = {{"user", "alice"}, {"source_ip", "192.0.2.7"}, {"n", first_seq + i}}});
  }
  return protocol::encode(protocol::AgentMessage(std::move(batch)));
}

int run(const Options& options) {
  client::ClientOptions client_options;
  client_options.base_url = options.server;
  client_options.ca_file = options.ca_file;
  client_options.bearer_token =
      Secret(std::getenv("SENTINEL_TOKEN") ? std::getenv("SENTINEL_TOKEN") : "");
  auto api = client::ApiClient::create(client_options);
  if (!api) {
    std::cerr << api.error().message << "\n";
    return 1;
  }
  const bench::SimAgentOptions sim{.channel = options.channel, .dir = options.dir};
  std::vector<agent::ChannelEndpoint> endpoints;
  const auto enrol_start = Clock::now();
  for (int i = 0; i < options.agents; ++i) {
    auto endpoint = bench::enrol(*api, sim, i);
    if (!endpoint) {
      std::cerr << "agent " << i << ": " << endpoint.error().message << "\n";
      return 1;
    }
    endpoints.push_back(*endpoint);
  }
  const double enrol_s = std::chrono::duration<double>(Clock::now() - enrol_start).count();

  const std::int64_t rss_before = process_rss_kb(options.server_pid);
  std::vector<bench::SimAgent> agents;
  std::vector<agent::ChannelConnection*> connections;
  const auto connect_start = Clock::now();
  for (int i = 0; i < options.agents; ++i) {
    auto agent = bench::connect(endpoints[i], i);
    if (!agent) {
      std::cerr << "connect " << i << ": " << agent.error().message << "\n";
      return 1;
    }
    connections.push_back(agent->connection.get());
    agents.push_back(std::move(*agent));
  }
  const double connect_s = std::chrono::duration<double>(Clock::now() - connect_start).count();

  boost::json::object result{{"mode", options.mode},
                             {"agents", options.agents},
                             {"enrol_seconds", fmt::format("{:.1f}", enrol_s)},
                             {"connect_seconds", fmt::format("{:.1f}", connect_s)}};
  if (options.mode == "firewall") {
    bench::FirewallPushOptions push;
    push.rounds = options.rounds;
    push.addresses = options.addresses;
    auto measured = bench::measure_firewall_push(*api, agents, push);
    if (!measured) {
      std::cerr << "firewall: " << measured.error().message << "\n";
      return 1;
    }
    for (auto& [key, value] : *measured) result[key] = value;
  } else if (options.mode == "hold") {
    std::this_thread::sleep_for(std::chrono::seconds(2));
    const std::int64_t rss_after = process_rss_kb(options.server_pid);
    const double cpu_start = process_cpu_seconds(options.server_pid);
    const auto start = Clock::now();
    // Heartbeats spread evenly over each interval, as real agents' would be.
    const auto gap = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(options.heartbeat_s) / options.agents));
    std::int64_t sent = 0;
    auto next = start;
    for (int i = 0; Clock::now() - start < std::chrono::seconds(options.seconds); ++i) {
      std::this_thread::sleep_until(next);
      next += gap;
      if (connections[i % options.agents]->send(heartbeat(), std::chrono::seconds(10))) ++sent;
    }
    const double cpu = process_cpu_seconds(options.server_pid) - cpu_start;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    result["server_rss_before_kb"] = rss_before;
    result["server_rss_after_kb"] = rss_after;
    result["server_kb_per_connection"] =
        fmt::format("{:.1f}", static_cast<double>(rss_after - rss_before) / options.agents);
    result["heartbeats"] = sent;
    result["server_cpu_percent"] = fmt::format("{:.2f}", 100.0 * cpu / elapsed);
  } else {
    std::atomic<std::int64_t> acked{0};
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int i = 0; i < options.agents; ++i) {
      threads.emplace_back([&, i] {
        agent::ChannelConnection& connection = *connections[i];
        std::atomic<std::int64_t> last_ack{0};
        std::thread receiver([&] {
          while (!stop) {
            auto frame = connection.receive(std::chrono::milliseconds(200));
            if (!frame) {
              if (frame.error().reason == "timeout") continue;
              return;
            }
            auto message = protocol::decode_server_message(*frame);
            if (message && std::holds_alternative<protocol::Ack>(*message)) {
              const auto seq = std::get<protocol::Ack>(*message).seq;
              acked += seq - last_ack;
              last_ack = seq;
            }
          }
        });
        std::int64_t next_seq = 1;
        while (!stop) {
          if (next_seq - 1 - last_ack >=
              static_cast<std::int64_t>(options.batch) * options.window) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
          }
          if (!connection.send(batch_frame(next_seq, options.batch), std::chrono::seconds(30)))
            break;
          next_seq += options.batch;
        }
        receiver.join();
      });
    }
    std::this_thread::sleep_for(std::chrono::seconds(options.seconds));
    const std::int64_t committed = acked;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    stop = true;
    for (auto& connection : connections) connection->close();
    for (auto& thread : threads) thread.join();
    result["events_committed"] = committed;
    result["events_per_second"] =
        static_cast<std::int64_t>(static_cast<double>(committed) / elapsed);
  }
  std::cout << boost::json::serialize(result) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app("agent_load: simulated agents for benchmarks (SENTINEL_TOKEN = admin API token)");
  app.add_option("--server", options.server)->required();
  app.add_option("--ca-file", options.ca_file)->required();
  app.add_option("--channel", options.channel)->required();
  app.add_option("--mode", options.mode)->check(CLI::IsMember({"hold", "ingest", "firewall"}));
  app.add_option("--agents", options.agents);
  app.add_option("--seconds", options.seconds);
  app.add_option("--server-pid", options.server_pid)->required();
  app.add_option("--heartbeat-s", options.heartbeat_s);
  app.add_option("--batch", options.batch);
  app.add_option("--window", options.window);
  app.add_option("--rounds", options.rounds, "firewall: policy versions pushed");
  app.add_option("--addresses", options.addresses, "firewall: addresses in the policy's set");
  app.add_option("--dir", options.dir)->required();
  CLI11_PARSE(app, argc, argv);
  return run(options);
}
