// users list|show|create|update|delete|unlock|reset-2fa.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <vector>

#include "commands.h"
#include "terminal.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kUserColumns = {
    Column{"id", "ID"},
    Column{"username", "USERNAME"},
    Column{"display_name", "NAME"},
    Column{"roles", "ROLES"},
    Column{"disabled", "DISABLED"},
    Column{"totp_enabled", "2FA"},
    Column{"created_at", "CREATED"},
};

struct CreateArgs {
  std::string username;
  std::string password;
  bool password_stdin = false;
  std::vector<std::string> roles;
  std::string display_name;
};

struct UpdateArgs {
  std::string id;
  std::vector<std::string> roles;
  bool disable = false;
  bool enable = false;
  std::string display_name;
  bool password_stdin = false;
};

std::string user_path(const std::string& id) { return "/api/v1/users/" + url_encode(id); }

json::array string_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& value : values) out.emplace_back(value);
  return out;
}

Result<Secret> new_password(const CreateArgs& args) {
  if (!args.password.empty()) return Secret(args.password);
  if (args.password_stdin) return read_stdin_line("password");
  if (!stdin_is_terminal()) {
    return invalid_argument("no password: pass --password-stdin, --password or run on a terminal");
  }
  SENTINEL_ASSIGN(first, prompt("Password for " + args.username + ": ", true));
  SENTINEL_ASSIGN(again, prompt("Repeat the password: ", true));
  if (first.reveal() != again.reveal()) return invalid_argument("the passwords differ");
  return first;
}

int create_user(Ctl& ctl, const CreateArgs& args) {
  auto password = new_password(args);
  if (!password) return ctl.fail(password.error());
  json::object body{{"username", args.username},
                    {"password", password->reveal()},
                    {"roles", string_array(args.roles)}};
  if (!args.display_name.empty()) body["display_name"] = args.display_name;
  return ctl.show_object(ctl.call("POST", "/api/v1/users", body));
}

int update_user(Ctl& ctl, const UpdateArgs& args) {
  json::object body;
  if (!args.roles.empty()) body["roles"] = string_array(args.roles);
  if (args.disable || args.enable) body["disabled"] = args.disable;
  if (!args.display_name.empty()) body["display_name"] = args.display_name;
  if (args.password_stdin) {
    auto password = read_stdin_line("password");
    if (!password) return ctl.fail(password.error());
    body["password"] = password->reveal();
  }
  if (body.empty()) {
    std::cerr << "error: nothing to change: pass --role, --disable, --enable, --display-name or "
                 "--password-stdin\n";
    return kExitUsage;
  }
  return ctl.show_object(ctl.call("PATCH", user_path(args.id), body));
}

// A subcommand taking one user ID, which runs `action` with it.
void add_id_command(CLI::App* users, Ctl& ctl, const std::string& name,
                    const std::string& description, std::function<int(const std::string&)> action) {
  auto id = std::make_shared<std::string>();
  auto* command = users->add_subcommand(name, description);
  command->add_option("id", *id, "User ID")->required();
  on_run(command, ctl, [id, action = std::move(action)] { return action(*id); });
}

}  // namespace

void add_user_commands(CLI::App& app, Ctl& ctl) {
  auto* users = app.add_subcommand("users", "Manage user accounts");
  users->require_subcommand(1);

  auto* list = users->add_subcommand("list", "List users");
  on_run(list, ctl,
         [&ctl] { return ctl.show_list(ctl.call("GET", "/api/v1/users"), kUserColumns); });

  add_id_command(users, ctl, "show", "Show one user", [&ctl](const std::string& id) {
    return ctl.show_object(ctl.call("GET", user_path(id)));
  });

  auto create_args = std::make_shared<CreateArgs>();
  auto* create = users->add_subcommand("create", "Create a user");
  create->add_option("--username", create_args->username, "User name")->required();
  auto* password_stdin = create->add_flag("--password-stdin", create_args->password_stdin,
                                          "Read the password from the first line of stdin");
  create
      ->add_option("--password", create_args->password,
                   "The password (visible to other local users: prefer --password-stdin)")
      ->excludes(password_stdin);
  add_repeatable(create, "--role", create_args->roles, "Role to grant (repeatable)")->required();
  create->add_option("--display-name", create_args->display_name, "Full name shown in the portal");
  on_run(create, ctl, [&ctl, create_args] { return create_user(ctl, *create_args); });

  auto update_args = std::make_shared<UpdateArgs>();
  auto* update = users->add_subcommand("update", "Change a user's roles, state, name or password");
  update->add_option("id", update_args->id, "User ID")->required();
  add_repeatable(update, "--role", update_args->roles,
                 "Role (repeatable; replaces the user's roles)");
  auto* disable = update->add_flag("--disable", update_args->disable,
                                   "Disable the account (ends its sessions and tokens)");
  update->add_flag("--enable", update_args->enable, "Enable the account")->excludes(disable);
  update->add_option("--display-name", update_args->display_name, "Full name shown in the portal");
  update->add_flag("--password-stdin", update_args->password_stdin,
                   "Set a new password, read from the first line of stdin");
  on_run(update, ctl, [&ctl, update_args] { return update_user(ctl, *update_args); });

  add_id_command(users, ctl, "delete", "Delete a user (ends its sessions and tokens)",
                 [&ctl](const std::string& id) {
                   return ctl.show_done(ctl.call("DELETE", user_path(id)),
                                        "user " + id + " deleted");
                 });
  add_id_command(users, ctl, "unlock", "Lift a login lockout", [&ctl](const std::string& id) {
    return ctl.show_done(ctl.call("POST", user_path(id) + "/unlock"), "user " + id + " unlocked");
  });
  add_id_command(users, ctl, "reset-2fa", "Remove a user's TOTP enrolment and recovery codes",
                 [&ctl](const std::string& id) {
                   return ctl.show_done(ctl.call("POST", user_path(id) + "/totp/reset"),
                                        "2FA of user " + id + " reset");
                 });
}

}  // namespace sentinel::ctl
