// PAM modules' messages, "MODULE(SERVICE:TYPE): TEXT", whichever program logged them:
//   pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=
//     rhost=203.0.113.9  user=root
//   pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)
//   pam_unix(sshd:session): session closed for user alice
//   pam_unix(passwd:chauthtok): password changed for bob
//   pam_faillock(sshd:auth): Consecutive login failures for user root account temporarily locked

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

using detail::add_event;
using detail::add_nonempty;
using detail::kFailure;
using detail::kSuccess;

// The value of " KEY=" in "k=v k=v ...", up to the next space or, `to_end`, the end of the line
// (user=, which comes last and holds whatever name was tried); empty when absent.
std::string_view key_value(std::string_view text, std::string_view key, bool to_end = false) {
  std::size_t at = 0;
  while (true) {
    at = text.find(key, at);
    if (at == std::string_view::npos) return {};
    if (at == 0 || text[at - 1] == ' ' || text[at - 1] == ';') break;
    at += key.size();
  }
  std::string_view value = text.substr(at + key.size());
  return to_end ? scan::trim(value) : value.substr(0, value.find(' '));
}

// "NAME(uid=N)" or "NAME" or "(uid=N)": the name, possibly empty.
std::string_view name_before_uid(std::string_view text) { return text.substr(0, text.find('(')); }

// "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=H  user=U". The account
// is `user`; a different `ruser` is who asked for it (su, sudo).
void add_auth_failure(std::string_view text, LineFields& out) {
  const std::string_view user = key_value(text, "user=", /*to_end=*/true);
  const std::string_view ruser = key_value(text, "ruser=");
  add_event(out, "authentication", "pam_auth_failure", kFailure);
  if (!ruser.empty() && ruser != user) {
    out.add("user.name", ruser);
    add_nonempty(out, "user.target.name", user);
  } else {
    add_nonempty(out, "user.name", user);
  }
  detail::add_source(out, key_value(text, "rhost="));
  std::string_view tty = key_value(text, "tty=");
  scan::consume(tty, "/dev/");
  if (tty != "ssh") add_nonempty(out, "process.tty.name", tty);
}

// "session opened for user U(uid=N) by A(uid=M)" / "session closed for user U".
void add_session(std::string_view text, bool opened, LineFields& out) {
  std::string_view subject = scan::take_until(text, " by ");
  const std::string_view user = name_before_uid(subject);
  const std::string_view by = name_before_uid(text);
  add_event(out, "session", opened ? "session_opened" : "session_closed", kSuccess);
  if (!by.empty() && by != user) {
    out.add("user.name", by);
    add_nonempty(out, "user.target.name", user);
  } else {
    add_nonempty(out, "user.name", user);
  }
}

}  // namespace

bool parse_pam(std::string_view message, LineFields& out) {
  std::string_view text = message;
  const std::size_t open = text.find('(');
  if (!text.starts_with("pam_") || open == std::string_view::npos) return false;
  const std::size_t close = text.find("): ", open);
  if (close == std::string_view::npos) return false;
  const std::string_view module = text.substr(0, open);
  std::string_view service = text.substr(open + 1, close - open - 1);
  service = service.substr(0, service.find(':'));
  text.remove_prefix(close + 3);

  bool known = true;
  if (scan::consume(text, "authentication failure; ")) {
    add_auth_failure(text, out);
  } else if (scan::consume(text, "session opened for user ")) {
    add_session(text, true, out);
  } else if (scan::consume(text, "session closed for user ")) {
    add_session(text, false, out);
  } else if (scan::consume(text, "password changed for ")) {
    add_event(out, "iam", "password_changed", kSuccess);
    add_nonempty(out, "user.target.name", scan::trim(text));
  } else if (text == "check pass; user unknown") {
    add_event(out, "authentication", "pam_user_unknown", kFailure);
  } else if (scan::consume(text, "Consecutive login failures for user ")) {
    const std::size_t account = text.find(" account temporarily locked");
    if (account == std::string_view::npos) {
      known = false;
    } else {
      add_event(out, "authentication", "account_locked", kFailure);
      add_nonempty(out, "user.name", text.substr(0, account));
    }
  } else {
    known = false;
  }
  out.add("pam.module", module);
  add_nonempty(out, "pam.service", service);
  return known;
}

}  // namespace sentinel::agent::logs
