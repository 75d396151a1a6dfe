#include "bench/firewall_push.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>

#include "agent/firewall/command_args.h"
#include "sentinel/common/crypto.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::bench {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Confirms seen per policy version, and when the last one came.
class ConfirmTracker {
 public:
  void confirmed(std::int64_t version) {
    std::lock_guard lock(mutex_);
    ++counts_[version];
    last_ = Clock::now();
    changed_.notify_all();
  }
  // The time of the `count`th confirm of `version`, or nothing after `timeout`.
  std::optional<Clock::time_point> wait_for(std::int64_t version, int count,
                                            std::chrono::seconds timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return counts_[version] >= count; })) {
      return std::nullopt;
    }
    return last_;
  }
  int count(std::int64_t version) {
    std::lock_guard lock(mutex_);
    return counts_[version];
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<std::int64_t, int> counts_;
  Clock::time_point last_;
};

// What one simulated agent holds: the release it applied and the one it confirmed.
struct SimFirewall {
  std::optional<std::int64_t> pending;
  std::optional<std::int64_t> confirmed;
  std::string listing_hash;
};

json::value optional_version(const std::optional<std::int64_t>& version) {
  return version ? json::value(*version) : json::value(nullptr);
}

// The real agent's answer to one command, without nftables: the arguments go through the
// agent's own strict parser; the "listing" is the hash of the text it would have applied.
protocol::CommandResult answer(const protocol::Command& command, SimFirewall& state,
                               ConfirmTracker& tracker) {
  protocol::CommandResult out{.id = command.id, .ok = true, .result = {}, .error = {}};
  if (command.name == "firewall_apply") {
    auto args = agent::firewall::parse_apply_args(command.args);
    if (!args) return {.id = command.id, .ok = false, .result = {}, .error = args.error().message};
    state.pending = args->release.version;
    state.listing_hash = crypto::sha256_hex(args->release.nft_text);
    out.result = {{"version", args->release.version},
                  {"document_hash", args->release.document_hash},
                  {"listing_hash", state.listing_hash},
                  {"sets", json::object{}},
                  {"blocks_kept", static_cast<std::int64_t>(args->blocks.size())}};
  } else if (command.name == "firewall_confirm") {
    auto args = agent::firewall::parse_confirm_args(command.args);
    if (!args) return {.id = command.id, .ok = false, .result = {}, .error = args.error().message};
    if (state.pending != args->version) {
      return {.id = command.id, .ok = false, .result = {}, .error = "no such pending version"};
    }
    state.confirmed = state.pending;
    state.pending.reset();
    out.result = {{"confirmed_version", *state.confirmed}};
    tracker.confirmed(*state.confirmed);
  } else if (command.name == "firewall_status") {
    out.result = {{"confirmed_version", optional_version(state.confirmed)},
                  {"pending_version", optional_version(state.pending)},
                  {"listing_hash", state.listing_hash},
                  {"sets", json::object{}},
                  {"blocks", json::array{}}};
  } else {
    return {.id = command.id, .ok = false, .result = {}, .error = "not simulated"};
  }
  return out;
}

std::string heartbeat() {
  return protocol::encode(protocol::AgentMessage(protocol::Heartbeat{
      .time_ms = 1, .spool_pending = 0, .spool_bytes = 0, .rss_bytes = 1 << 20, .cpu_percent = 0}));
}

// Answers commands until `stop`, with a heartbeat every 10 s.
void respond(SimAgent& agent, ConfirmTracker& tracker, const std::atomic<bool>& stop) {
  SimFirewall state;
  auto next_heartbeat = Clock::now();
  while (!stop) {
    if (Clock::now() >= next_heartbeat) {
      if (!agent.connection->send(heartbeat(), std::chrono::seconds(10))) return;
      next_heartbeat = Clock::now() + std::chrono::seconds(10);
    }
    auto frame = agent.connection->receive(std::chrono::milliseconds(200));
    if (!frame) {
      if (agent.connection->is_open()) continue;
      return;
    }
    auto message = protocol::decode_server_message(*frame);
    if (!message) continue;
    if (const auto* command = std::get_if<protocol::Command>(&*message)) {
      protocol::CommandResult result = answer(*command, state, tracker);
      if (!agent.connection->send(protocol::encode(protocol::AgentMessage(std::move(result))),
                                  std::chrono::seconds(10))) {
        return;
      }
    }
  }
}

// A policy like a site's baseline: a large blocked set, admin SSH, web, ping, a log rule.
// `round` changes one address so that every version differs.
json::object policy_document(int addresses, int round) {
  json::array blocked;
  for (int i = 0; i < addresses; ++i) {
    blocked.emplace_back(fmt::format("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255));
  }
  blocked.emplace_back(fmt::format("198.51.100.{}", round % 250 + 1));
  return json::object{
      {"description", "bench fleet baseline"},
      {"objects",
       {{"address_sets",
         {{"blocked", {{"addresses", std::move(blocked)}}},
          {"admins", {{"addresses", json::array{"192.0.2.0/24"}}}}}}}},
      {"chains",
       {{"input",
         {{"policy", "accept"},
          {"rules", json::array{{{"id", "drop-blocked"}, {"source", "blocked"}, {"action", "drop"}},
                                {{"id", "ssh-admins"},
                                 {"source", "admins"},
                                 {"protocol", "tcp"},
                                 {"ports", 22},
                                 {"action", "accept"}},
                                {{"id", "web"},
                                 {"protocol", "tcp"},
                                 {"ports", json::array{80, 443}},
                                 {"action", "accept"}},
                                {{"id", "log-telnet"},
                                 {"protocol", "tcp"},
                                 {"ports", 23},
                                 {"action", "log"},
                                 {"log", {{"rate", "10/minute"}, {"prefix", "telnet: "}}}}}}}},
        {"output", {{"policy", "accept"}}},
        {"forward", {{"policy", "drop"}}}}}};
}

Result<json::object> expect(Result<client::HttpReply> reply, int status, std::string_view what) {
  if (!reply) return unavailable(fmt::format("{}: {}", what, reply.error().message));
  if (reply->status != status) {
    return unavailable(fmt::format("{}: HTTP {} {}", what, reply->status, reply->body));
  }
  SENTINEL_ASSIGN(body, reply->json());
  if (!body.is_object()) return unavailable(fmt::format("{}: not a JSON object", what));
  return body.as_object();
}

double seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

Result<json::object> measure_firewall_push(client::ApiClient& api, std::vector<SimAgent>& agents,
                                           const FirewallPushOptions& options) {
  for (const SimAgent& agent : agents) {
    SENTINEL_TRY(
        expect(api.patch("/api/v1/agents/" + agent.id, json::object{{"group", options.group}}), 200,
               "set the group of " + agent.id));
  }
  ConfirmTracker tracker;
  std::atomic<bool> stop{false};
  std::vector<std::thread> responders;
  for (SimAgent& agent : agents) {
    responders.emplace_back([&agent, &tracker, &stop] { respond(agent, tracker, stop); });
  }
  auto finish = [&] {
    stop = true;
    for (std::thread& responder : responders) responder.join();
  };

  auto run = [&]() -> Result<json::object> {
    SENTINEL_ASSIGN(
        created, expect(api.post("/api/v1/firewall/policies",
                                 json::object{{"name", "bench-fleet"},
                                              {"document", policy_document(options.addresses, 0)}}),
                        201, "create the policy"));
    const std::string policy =
        fmt::format("/api/v1/firewall/policies/{}", json::serialize(created.at("id")));
    SENTINEL_TRY(expect(api.put(policy + "/assignments",
                                json::object{{"assignments", json::array{{{"group", options.group},
                                                                          {"priority", 1}}}}}),
                        200, "assign the policy"));
    std::vector<double> save_to_all, apply_requests;
    const int fleet = static_cast<int>(agents.size());
    for (int round = 1; round <= options.rounds; ++round) {
      const auto start = Clock::now();
      SENTINEL_ASSIGN(
          saved,
          expect(
              api.put(policy, json::object{{"document", policy_document(options.addresses, round)},
                                           {"comment", "bench round"}}),
              200, "save a version"));
      const std::int64_t version = saved.at("version").to_number<std::int64_t>();
      const auto apply_start = Clock::now();
      SENTINEL_ASSIGN(applied, expect(api.post("/api/v1/firewall/apply",
                                               json::object{{"policy_id", created.at("id")}}),
                                      200, "apply"));
      apply_requests.push_back(seconds(Clock::now() - apply_start));
      const auto last = tracker.wait_for(version, fleet, std::chrono::seconds(120));
      if (!last) {
        return unavailable(
            fmt::format("round {}: {} of {} agents confirmed version {}; apply "
                        "said {}",
                        round, tracker.count(version), fleet, version,
                        json::serialize(applied).substr(0, 400)));
      }
      save_to_all.push_back(seconds(*last - start));
    }
    return json::object{
        {"firewall_rounds", options.rounds},
        {"firewall_addresses", options.addresses},
        {"save_to_all_confirmed_s_median", fmt::format("{:.3f}", median(save_to_all))},
        {"save_to_all_confirmed_s_max",
         fmt::format("{:.3f}", *std::max_element(save_to_all.begin(), save_to_all.end()))},
        {"apply_request_s_median", fmt::format("{:.3f}", median(apply_requests))}};
  };
  Result<json::object> measured = run();
  finish();
  return measured;
}

}  // namespace sentinel::bench
