// roles list|create|update|delete. Whether a role needs 2FA is an auth setting: see
// settings_commands.cpp.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kRoleColumns = {
    Column{"name", "NAME"},
    Column{"builtin", "BUILT-IN"},
    Column{"description", "DESCRIPTION"},
    Column{"permissions", "PERMISSIONS"},
};

struct RoleArgs {
  std::string name;
  std::vector<std::string> permissions;
  std::string description;
};

std::string role_path(const std::string& name) { return "/api/v1/roles/" + url_encode(name); }

// The request body with the fields given on the command line.
json::object role_body(const RoleArgs& args) {
  json::object body;
  if (!args.permissions.empty()) {
    json::array permissions;
    for (const auto& permission : args.permissions) permissions.emplace_back(permission);
    body["permissions"] = std::move(permissions);
  }
  if (!args.description.empty()) body["description"] = args.description;
  return body;
}

int create_role(Ctl& ctl, const RoleArgs& args) {
  json::object body = role_body(args);
  body["name"] = args.name;
  return ctl.show_object(ctl.call("POST", "/api/v1/roles", body));
}

int update_role(Ctl& ctl, const RoleArgs& args) {
  const json::object body = role_body(args);
  if (body.empty()) {
    std::cerr << "error: nothing to change: pass --permission or --description\n";
    return kExitUsage;
  }
  return ctl.show_object(ctl.call("PATCH", role_path(args.name), body));
}

// The options shared by create and update.
void add_role_options(CLI::App* command, RoleArgs& args, bool permissions_required) {
  command->add_option("name", args.name, "Role name")->required();
  auto* permissions = add_repeatable(
      command, "--permission", args.permissions,
      "Permission such as users:read or agents:write (repeatable; replaces the set)");
  if (permissions_required) permissions->required();
  command->add_option("--description", args.description, "What the role is for");
}

}  // namespace

void add_role_commands(CLI::App& app, Ctl& ctl) {
  auto* roles = app.add_subcommand("roles", "Manage roles (named sets of permissions)");
  roles->require_subcommand(1);

  auto* list = roles->add_subcommand("list", "List roles and their permissions");
  on_run(list, ctl,
         [&ctl] { return ctl.show_list(ctl.call("GET", "/api/v1/roles"), kRoleColumns); });

  auto create_args = std::make_shared<RoleArgs>();
  auto* create = roles->add_subcommand("create", "Create a custom role");
  add_role_options(create, *create_args, true);
  on_run(create, ctl, [&ctl, create_args] { return create_role(ctl, *create_args); });

  auto update_args = std::make_shared<RoleArgs>();
  auto* update = roles->add_subcommand("update", "Change a custom role");
  add_role_options(update, *update_args, false);
  on_run(update, ctl, [&ctl, update_args] { return update_role(ctl, *update_args); });

  auto name = std::make_shared<std::string>();
  auto* remove = roles->add_subcommand("delete", "Delete a custom role");
  remove->add_option("name", *name, "Role name")->required();
  on_run(remove, ctl, [&ctl, name] {
    return ctl.show_done(ctl.call("DELETE", role_path(*name)), "role " + *name + " deleted");
  });
}

}  // namespace sentinel::ctl
