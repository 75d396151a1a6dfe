// login, logout, whoami and TOTP enrolment.

#include <unistd.h>

#include <array>
#include <boost/json/value.hpp>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "credentials.h"
#include "terminal.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;
using client::ApiClient;
using client::HttpReply;

struct LoginArgs {
  std::string username;
  bool password_stdin = false;
  std::string totp;
};

std::string token_name() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) return "sentinelctl";
  return "sentinelctl@" + std::string(host.data());
}

std::string text_of(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  if (value.is_int64()) return std::to_string(value.as_int64());
  if (value.is_uint64()) return std::to_string(value.as_uint64());
  return {};
}

Result<HttpReply> send_login(ApiClient& api, const LoginArgs& args, const Secret& password,
                             const Secret& totp) {
  json::object body{{"username", args.username}, {"password", password.reveal()}};
  if (!totp.empty()) body["totp"] = totp.reveal();
  return api.post("/api/v1/auth/login", body);
}

Result<Secret> login_password(const LoginArgs& args) {
  if (args.password_stdin) return read_stdin_line("password");
  if (!stdin_is_terminal()) {
    return invalid_argument("no password: pass --password-stdin or run on a terminal");
  }
  return prompt("Password for " + args.username + ": ", true);
}

bool needs_totp(const HttpReply& reply) {
  const auto error = reply.api_error();
  return reply.status == 401 && error && error->code == "totp_required";
}

// Logs in with the password (and TOTP), trades the session for an API token and stores it.
int login(Ctl& ctl, const LoginArgs& args) {
  auto password = login_password(args);
  if (!password) return ctl.fail(password.error());
  auto settings = ctl.client_options(false);
  if (!settings) return ctl.fail(settings.error());
  auto api = ApiClient::create(*settings);
  if (!api) return ctl.fail(api.error());

  Secret totp(args.totp);
  auto reply = send_login(*api, args, *password, totp);
  if (reply && needs_totp(*reply) && totp.empty() && stdin_is_terminal()) {
    auto code = prompt("TOTP code (or a recovery code): ", false);
    if (!code) return ctl.fail(code.error());
    totp = std::move(*code);
    reply = send_login(*api, args, *password, totp);
  }
  if (!reply) return ctl.fail(reply.error());
  if (!reply->ok()) {
    const int status = ctl.fail(*reply);
    if (needs_totp(*reply)) std::cerr << "hint: this account has 2FA: pass --totp CODE\n";
    return status;
  }

  auto created = api->post("/api/v1/tokens", json::object{{"name", token_name()}});
  if (!created) return ctl.fail(created.error());
  if (!created->ok()) {
    const int status = ctl.fail(*created);
    const auto error = created->api_error();
    if (error && error->code == "totp_enrollment_required") {
      std::cerr << "hint: your role requires 2FA: run `sentinelctl totp setup --username "
                << args.username << "`, then `sentinelctl totp confirm CODE --username "
                << args.username << "`, then log in again\n";
    }
    (void)api->post("/api/v1/auth/logout");
    return status;
  }
  auto token_reply = created->json();
  if (!token_reply) return ctl.fail(token_reply.error());
  const auto* token =
      token_reply->is_object() ? token_reply->as_object().if_contains("token") : nullptr;
  const auto* id = token_reply->is_object() ? token_reply->as_object().if_contains("id") : nullptr;
  if (token == nullptr || !token->is_string() || id == nullptr) {
    std::cerr << "error: the server's token reply lacks \"id\" or \"token\"\n";
    return kExitFailed;
  }
  // The token is what later commands use; the login session is no longer needed.
  (void)api->post("/api/v1/auth/logout");

  Credentials credentials{
      api->options().base_url, Secret(std::string(token->as_string())), text_of(*id), args.username,
      settings->ca_file.empty() ? std::string()
                                : std::filesystem::absolute(settings->ca_file).string()};
  if (auto saved = save_credentials(ctl.credentials_path(), credentials); !saved) {
    return ctl.fail(saved.error());
  }
  if (ctl.json_output()) {
    std::cout << pretty_json(json::object{{"server", credentials.server},
                                          {"username", credentials.username},
                                          {"token_id", credentials.token_id},
                                          {"credentials_file", ctl.credentials_path().string()}})
              << "\n";
  } else {
    std::cout << "logged in to " << credentials.server << " as " << args.username << "; API token "
              << credentials.token_id << " stored in " << ctl.credentials_path().string() << "\n";
  }
  return kExitOk;
}

// Revokes the stored token and deletes the credentials file.
int logout(Ctl& ctl) {
  auto stored = load_credentials(ctl.credentials_path());
  if (!stored) return ctl.fail(stored.error());
  if (!*stored) {
    std::cerr << "not logged in\n";
    return kExitOk;
  }
  const Outcome revoked = ctl.call("DELETE", "/api/v1/tokens/" + url_encode((*stored)->token_id));
  // A token the server no longer accepts needs no revoking.
  if (!revoked.ok() && revoked.exit_code != kExitUnauthenticated) {
    std::cerr << "credentials kept in " << ctl.credentials_path().string() << "\n";
    return revoked.exit_code;
  }
  if (auto removed = remove_credentials(ctl.credentials_path()); !removed) {
    return ctl.fail(removed.error());
  }
  if (ctl.json_output()) {
    std::cout << pretty_json(json::object{{"server", (*stored)->server},
                                          {"username", (*stored)->username},
                                          {"token_id", (*stored)->token_id}})
              << "\n";
  } else {
    std::cout << "logged out of " << (*stored)->server << "\n";
  }
  return kExitOk;
}

// Who enrols in 2FA: the server accepts enrolment only from a login session, not an API token.
struct SessionArgs {
  std::string username;  // empty: the one stored by login
  bool password_stdin = false;
};

/// Builds the body of a session call from the password the session was opened with.
using SessionBody = std::function<Result<std::optional<json::value>>(const Secret& password)>;

// Logs in as `args.username` with a password, sends `method path` with the session, logs out.
Outcome with_session(Ctl& ctl, const SessionArgs& args, std::string_view method,
                     const std::string& path, const SessionBody& make_body) {
  auto settings = ctl.client_options(false);
  if (!settings) return {ctl.fail(settings.error()), nullptr};
  LoginArgs login_args{args.username, args.password_stdin, {}};
  if (login_args.username.empty()) {
    auto stored = load_credentials(ctl.credentials_path());
    if (!stored) return {ctl.fail(stored.error()), nullptr};
    if (*stored && (*stored)->server == settings->base_url)
      login_args.username = (*stored)->username;
  }
  if (login_args.username.empty()) {
    std::cerr << "error: no user: pass --username (or run `sentinelctl login` first)\n";
    return {kExitUsage, nullptr};
  }
  auto password = login_password(login_args);
  if (!password) return {ctl.fail(password.error()), nullptr};
  auto body = make_body(*password);
  if (!body) return {ctl.fail(body.error()), nullptr};
  auto api = ApiClient::create(*settings);
  if (!api) return {ctl.fail(api.error()), nullptr};
  auto reply = send_login(*api, login_args, *password, Secret());
  if (!reply) return {ctl.fail(reply.error()), nullptr};
  if (!reply->ok()) return {ctl.fail(*reply), nullptr};

  auto answer = api->request(method, path, *body);
  (void)api->post("/api/v1/auth/logout");
  if (!answer) return {ctl.fail(answer.error()), nullptr};
  if (!answer->ok()) return {ctl.fail(*answer), nullptr};
  if (answer->body.empty()) return {kExitOk, nullptr};
  auto parsed = answer->json();
  if (!parsed) return {ctl.fail(parsed.error()), nullptr};
  return {kExitOk, std::move(*parsed)};
}

int totp_setup(Ctl& ctl, const SessionArgs& args) {
  const Outcome outcome = with_session(ctl, args, "POST", "/api/v1/auth/totp/setup",
                                       [](const Secret&) { return std::optional<json::value>(); });
  const int status = ctl.show_object(outcome);
  if (outcome.ok() && !ctl.json_output()) {
    std::cout << "\nadd the secret to your authenticator app, then run: sentinelctl totp confirm "
                 "CODE\n";
  }
  return status;
}

int totp_confirm(Ctl& ctl, const SessionArgs& args, const std::string& code) {
  const Outcome outcome =
      with_session(ctl, args, "POST", "/api/v1/auth/totp/confirm", [&code](const Secret&) {
        return std::optional<json::value>(json::object{{"code", code}});
      });
  if (!outcome.ok() || ctl.json_output()) return ctl.show_object(outcome);
  std::cout << "2FA is on. Recovery codes (each works once; store them safely):\n";
  const auto* codes =
      outcome.json.is_object() ? outcome.json.as_object().if_contains("recovery_codes") : nullptr;
  if (codes != nullptr && codes->is_array()) {
    for (const auto& recovery : codes->as_array()) std::cout << "  " << text_of(recovery) << "\n";
  }
  return kExitOk;
}

// Changes the user's own password: the current one opens the session (first stdin line with
// --password-stdin), the new one follows (second line) or is prompted for twice.
int change_password(Ctl& ctl, const SessionArgs& args) {
  const Outcome outcome =
      with_session(ctl, args, "PUT", "/api/v1/auth/password",
                   [&args](const Secret& current) -> Result<std::optional<json::value>> {
                     Result<Secret> next = args.password_stdin ? read_stdin_line("new password")
                                                               : prompt("New password: ", true);
                     if (!next) return std::move(next).error();
                     if (!args.password_stdin) {
                       auto again = prompt("New password again: ", true);
                       if (!again) return std::move(again).error();
                       if (again->reveal() != next->reveal()) {
                         return invalid_argument("the two new passwords differ", "new_password");
                       }
                     }
                     return std::optional<json::value>(json::object{
                         {"current_password", current.reveal()}, {"new_password", next->reveal()}});
                   });
  return ctl.show_done(outcome, "password changed; your other sessions were ended");
}

// The user's fields (with permissions) as key: value lines; the whole reply with --output json.
int whoami(Ctl& ctl) {
  const Outcome outcome = ctl.call("GET", "/api/v1/auth/me");
  if (!outcome.ok() || ctl.json_output()) return ctl.show_object(outcome);
  const auto* reply = outcome.json.if_object();
  const auto* user = reply != nullptr ? reply->if_contains("user") : nullptr;
  if (user == nullptr || !user->is_object()) return ctl.show_object(outcome);
  print_fields(std::cout, user->as_object());
  return kExitOk;
}

void add_session_options(CLI::App* command, SessionArgs& args) {
  command->add_option("--username,-u", args.username,
                      "User name (default: the one stored by login)");
  command->add_flag("--password-stdin", args.password_stdin,
                    "Read the password from the first line of stdin (else prompt)");
}

}  // namespace

void add_auth_commands(CLI::App& app, Ctl& ctl) {
  auto args = std::make_shared<LoginArgs>();
  auto* login_command = app.add_subcommand(
      "login", "Log in with a password (and TOTP code) and store an API token for later commands");
  login_command->add_option("--username,-u", args->username, "User name")->required();
  login_command->add_flag("--password-stdin", args->password_stdin,
                          "Read the password from the first line of stdin (else prompt)");
  login_command->add_option("--totp", args->totp,
                            "Current TOTP code or a recovery code (else prompt when required)");
  on_run(login_command, ctl, [&ctl, args] { return login(ctl, *args); });

  auto* logout_command =
      app.add_subcommand("logout", "Revoke the stored API token and delete the credentials file");
  on_run(logout_command, ctl, [&ctl] { return logout(ctl); });

  auto* whoami_command =
      app.add_subcommand("whoami", "Show the authenticated user, roles and permissions");
  on_run(whoami_command, ctl, [&ctl] { return whoami(ctl); });

  auto passwd_args = std::make_shared<SessionArgs>();
  auto* passwd = app.add_subcommand(
      "passwd", "Change your own password (ends your other sessions and keeps API tokens)");
  add_session_options(passwd, *passwd_args);
  on_run(passwd, ctl, [&ctl, passwd_args] { return change_password(ctl, *passwd_args); });

  auto* totp = app.add_subcommand(
      "totp", "Two-factor authentication (TOTP) for your account; logs in with your password");
  totp->require_subcommand(1);
  auto setup_args = std::make_shared<SessionArgs>();
  auto* setup = totp->add_subcommand("setup", "Start enrolment: show the secret and otpauth URI");
  add_session_options(setup, *setup_args);
  on_run(setup, ctl, [&ctl, setup_args] { return totp_setup(ctl, *setup_args); });
  auto confirm_args = std::make_shared<SessionArgs>();
  auto code = std::make_shared<std::string>();
  auto* confirm = totp->add_subcommand(
      "confirm", "Finish enrolment with a current code; prints recovery codes");
  confirm->add_option("code", *code, "Code from the authenticator app")->required();
  add_session_options(confirm, *confirm_args);
  on_run(confirm, ctl,
         [&ctl, confirm_args, code] { return totp_confirm(ctl, *confirm_args, *code); });
}

}  // namespace sentinel::ctl
