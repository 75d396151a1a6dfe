// health.

#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <iostream>
#include <utility>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

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
  auto* check = app.add_subcommand(
      "health", "Check the server's liveness (/healthz) and readiness (/readyz)");
  on_run(check, ctl, [&ctl] { return health(ctl); });
}

}  // namespace sentinel::ctl
