#include "agent/firewall/firewall_worker.h"

#include <fmt/format.h>

#include "agent/firewall/firewall_commands.h"
#include "agent/firewall/firewall_state.h"
#include "agent/firewall/nft_table.h"
#include "sentinel/common/clock.h"

namespace sentinel::agent::firewall {
namespace {

Result<bool> drift_flag(const boost::json::object& args) {
  const boost::json::value* drift = args.if_contains("drift");
  if (drift == nullptr || !drift->is_bool() || args.size() != 1) {
    return invalid_argument("maintain: expected {\"drift\": true|false}", "drift");
  }
  return drift->as_bool();
}

}  // namespace

int serve_worker_requests(int fd, const WorkerHandler& handle) {
  while (true) {
    auto frame = read_frame(fd, std::nullopt);
    if (!frame) return frame.error().reason == "closed" ? 0 : 1;
    auto request = decode_request(*frame);
    if (!request) return 1;
    if (!write_frame(fd, encode_response(handle(*request)))) return 1;
  }
}

int run_firewall_worker(int fd, const std::string& state_dir) {
  SystemClock clock;
  auto table = NftTable::create();
  if (!table) {
    const Error failed = table.error();
    return serve_worker_requests(
        fd, [&](const WorkerRequest&) -> Result<boost::json::object> { return failed; });
  }
  auto state = FirewallState::create(**table, clock, state_dir);
  if (!state) {
    const Error failed =
        unavailable("the firewall state cannot be loaded: " + state.error().message);
    return serve_worker_requests(
        fd, [&](const WorkerRequest&) -> Result<boost::json::object> { return failed; });
  }
  FirewallCommands commands(**state, **table);
  return serve_worker_requests(
      fd, [&](const WorkerRequest& request) -> Result<boost::json::object> {
        if (request.name == "recover") {
          if (!request.args.empty()) return invalid_argument("recover: takes no arguments");
          return encode_maintenance(commands.recover());
        }
        if (request.name == "maintain") {
          SENTINEL_ASSIGN(drift, drift_flag(request.args));
          return encode_maintenance(commands.maintain(drift));
        }
        if (request.name == kServerAddressesRequest) {
          return commands.set_server_addresses(request.args);
        }
        if (is_firewall_command(request.name)) return commands.run(request.name, request.args);
        return invalid_argument(fmt::format("unknown firewall worker request '{}'", request.name),
                                "name");
      });
}

}  // namespace sentinel::agent::firewall
