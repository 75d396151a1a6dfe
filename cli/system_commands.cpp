// agents enroll-token and health.

#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <utility>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

// Prints a new one-time enrolment token alone on a line, for `$(sentinelctl agents enroll-token)`.
int enroll_token(Ctl& ctl) {
  return ctl.show_secret_field(ctl.call("POST", "/api/v1/agents/enroll-tokens"), "token");
}

// Liveness and readiness; exit status 0 only when both answer 2xx.
int health(Ctl& ctl) {
  auto api = ctl.client();
  if (!api) return ctl.fail(api.error());
  constexpr std::array kProbes = {std::pair{"live", "/healthz"}, std::pair{"ready", "/readyz"}};
  json::object report;
  bool healthy = true;
  for (const auto& [name, path] : kProbes) {
    auto reply = (*api)->get(path);
    if (!reply) return ctl.fail(reply.error());
    healthy = healthy && reply->ok();
    auto parsed = reply->json();
    json::value body = parsed ? std::move(*parsed) : json::value(reply->body);
    if (!ctl.json_output()) {
      std::cout << name << ": " << (reply->ok() ? "ok" : "FAILING") << " (HTTP " << reply->status
                << ")";
      if (!reply->ok() && !reply->body.empty()) std::cout << " " << json::serialize(body);
      std::cout << "\n";
    }
    report[name] = json::object{{"status", reply->status}, {"body", std::move(body)}};
  }
  if (ctl.json_output()) std::cout << pretty_json(report) << "\n";
  return healthy ? kExitOk : kExitFailed;
}

}  // namespace

void add_system_commands(CLI::App& app, Ctl& ctl) {
  auto* agents = app.add_subcommand("agents", "Manage endpoint agents");
  agents->require_subcommand(1);
  auto* enroll = agents->add_subcommand(
      "enroll-token", "Create a one-time enrolment token for sentinel-agent --enroll-token");
  on_run(enroll, ctl, [&ctl] { return enroll_token(ctl); });

  auto* check = app.add_subcommand(
      "health", "Check the server's liveness (/healthz) and readiness (/readyz)");
  on_run(check, ctl, [&ctl] { return health(ctl); });
}

}  // namespace sentinel::ctl
