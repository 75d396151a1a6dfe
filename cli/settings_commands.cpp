// settings show|update: the server's auth settings (which roles must log in with 2FA).

#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr const char* kSettingsPath = "/api/v1/settings/auth";

struct UpdateArgs {
  std::vector<std::string> require_2fa_roles;
  bool no_require_2fa = false;
};

int update_settings(Ctl& ctl, const UpdateArgs& args) {
  if (args.require_2fa_roles.empty() && !args.no_require_2fa) {
    std::cerr << "error: nothing to change: pass --require-2fa-role or --no-require-2fa\n";
    return kExitUsage;
  }
  json::array roles;
  for (const auto& role : args.require_2fa_roles) roles.emplace_back(role);
  return ctl.show_object(
      ctl.call("PATCH", kSettingsPath, json::object{{"require_2fa_roles", std::move(roles)}}));
}

}  // namespace

void add_settings_commands(CLI::App& app, Ctl& ctl) {
  auto* settings = app.add_subcommand("settings", "Show or change the server's auth settings");
  settings->require_subcommand(1);

  auto* show = settings->add_subcommand("show", "Show the auth settings");
  on_run(show, ctl, [&ctl] { return ctl.show_object(ctl.call("GET", kSettingsPath)); });

  auto args = std::make_shared<UpdateArgs>();
  auto* update = settings->add_subcommand("update", "Change the auth settings");
  auto* require =
      add_repeatable(update, "--require-2fa-role", args->require_2fa_roles,
                     "Members of this role must log in with 2FA (repeatable; replaces the list)");
  update
      ->add_flag("--no-require-2fa", args->no_require_2fa, "No role requires 2FA (clears the list)")
      ->excludes(require);
  on_run(update, ctl, [&ctl, args] { return update_settings(ctl, *args); });
}

}  // namespace sentinel::ctl
