// tokens list|create|revoke and sessions list|revoke.

#include <array>
#include <boost/json/value.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <vector>

#include "commands.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

constexpr std::array kTokenColumns = {
    Column{"id", "ID"},
    Column{"name", "NAME"},
    Column{"username", "USER"},
    Column{"created_at", "CREATED"},
    Column{"expires_at", "EXPIRES"},
    Column{"last_used_at", "LAST USED"},
    Column{"revoked", "REVOKED"},
    Column{"permissions", "PERMISSIONS"},
};

constexpr std::array kSessionColumns = {
    Column{"id", "ID"},
    Column{"username", "USER"},
    Column{"source_address", "ADDRESS"},
    Column{"created_at", "CREATED"},
    Column{"last_seen_at", "LAST SEEN"},
    Column{"expires_at", "EXPIRES"},
    Column{"current", "CURRENT"},
    Column{"user_agent", "CLIENT"},
};

struct TokenArgs {
  std::string name;
  std::optional<std::int64_t> expires_in_days;
  std::vector<std::string> permissions;
};

// Prints a new token. It appears here only; in table mode it is printed alone on stdout, so that
// `$(sentinelctl tokens create --name x)` works, and the rest goes to stderr.
int create_token(Ctl& ctl, const TokenArgs& args) {
  json::object body{{"name", args.name}};
  if (args.expires_in_days) body["expires_in_days"] = *args.expires_in_days;
  if (!args.permissions.empty()) {
    json::array permissions;
    for (const auto& permission : args.permissions) permissions.emplace_back(permission);
    body["permissions"] = std::move(permissions);
  }
  const Outcome outcome = ctl.call("POST", "/api/v1/tokens", body);
  const int shown = ctl.show_secret_field(outcome, "token");
  if (shown != kExitOk || ctl.json_output()) return shown;
  const auto* reply = outcome.json.if_object();
  const auto* id = reply->if_contains("id");
  const auto* expires = reply->if_contains("expires_at");
  std::cerr << "token " << (id != nullptr ? display_value("id", *id) : std::string("-"))
            << " created, expires "
            << (expires != nullptr && !expires->is_null() ? display_value("expires_at", *expires)
                                                          : std::string("never"))
            << "; store it now: the server keeps only its hash and cannot show it again\n";
  return kExitOk;
}

std::string list_path(std::string_view base, bool all) {
  return std::string(base) + (all ? "?all=true" : "");
}

// `group revoke ID`: DELETE base/ID.
void add_revoke(CLI::App* group, Ctl& ctl, std::string base, std::string noun) {
  auto id = std::make_shared<std::string>();
  auto* revoke = group->add_subcommand("revoke", "Revoke a " + noun);
  revoke->add_option("id", *id, noun + " ID")->required();
  on_run(revoke, ctl, [&ctl, id, base = std::move(base), noun = std::move(noun)] {
    return ctl.show_done(ctl.call("DELETE", base + "/" + url_encode(*id)),
                         noun + " " + *id + " revoked");
  });
}

void add_token_commands(CLI::App& app, Ctl& ctl) {
  auto* tokens = app.add_subcommand("tokens", "Manage API tokens");
  tokens->require_subcommand(1);

  auto all = std::make_shared<bool>(false);
  auto* list = tokens->add_subcommand("list", "List your API tokens");
  list->add_flag("--all", *all, "Every user's tokens (needs tokens:admin)");
  on_run(list, ctl, [&ctl, all] {
    return ctl.show_list(ctl.call("GET", list_path("/api/v1/tokens", *all)), kTokenColumns);
  });

  auto args = std::make_shared<TokenArgs>();
  auto* create = tokens->add_subcommand("create", "Create an API token; prints it once");
  create->add_option("--name", args->name, "What the token is for")->required();
  create->add_option("--expires-in-days", args->expires_in_days, "Lifetime in days")
      ->check(CLI::PositiveNumber);
  add_repeatable(create, "--permission", args->permissions,
                 "Limit the token to this permission (repeatable; default: all of yours)");
  on_run(create, ctl, [&ctl, args] { return create_token(ctl, *args); });

  add_revoke(tokens, ctl, "/api/v1/tokens", "token");
}

void add_session_commands(CLI::App& app, Ctl& ctl) {
  auto* sessions = app.add_subcommand("sessions", "Manage portal login sessions");
  sessions->require_subcommand(1);

  auto all = std::make_shared<bool>(false);
  auto* list = sessions->add_subcommand("list", "List your sessions");
  list->add_flag("--all", *all, "Every user's sessions (needs sessions:admin)");
  on_run(list, ctl, [&ctl, all] {
    return ctl.show_list(ctl.call("GET", list_path("/api/v1/sessions", *all)), kSessionColumns);
  });

  add_revoke(sessions, ctl, "/api/v1/sessions", "session");
}

}  // namespace

void add_credential_commands(CLI::App& app, Ctl& ctl) {
  add_token_commands(app, ctl);
  add_session_commands(app, ctl);
}

}  // namespace sentinel::ctl
