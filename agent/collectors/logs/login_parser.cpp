// login's log lines.
// shadow login (Debian 12's login package):
//   FAILED LOGIN (1) on '/dev/tty1' FOR 'alice', Authentication failure
//   FAILED LOGIN (2) on '/dev/pts/1' from '192.0.2.10' FOR 'UNKNOWN', User not known to ...
//   TOO MANY LOGIN TRIES (5) on '/dev/tty1' FOR 'alice'
//   ROOT LOGIN  on '/dev/tty1'          'alice' logged in  on '/dev/tty1' from 'host'
// util-linux login:
//   FAILED LOGIN 1 FROM tty1 FOR alice, Authentication failure
//   TOO MANY LOGIN TRIES (5) FROM tty1 FOR alice, Authentication failure
//   ROOT LOGIN ON tty1 FROM host        LOGIN ON tty1 BY alice FROM host

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

using detail::add_nonempty;
using scan::consume;

// '...' at the start of `text`; `text` advances past it.
std::string_view take_quoted(std::string_view& text) {
  if (!consume(text, "'")) return {};
  return scan::take_until(text, "'");
}

struct Origin {
  std::string_view tty;
  std::string_view host;
};

// shadow's " on 'TTY'[ from 'HOST']" (leading spaces tolerated).
Origin take_shadow_origin(std::string_view& text) {
  Origin origin;
  text = scan::trim(text);
  if (consume(text, "on ")) origin.tty = take_quoted(text);
  if (consume(text, " from ")) origin.host = take_quoted(text);
  return origin;
}

void add_login(LineFields& out, std::string_view action, std::string_view outcome,
               std::string_view user, const Origin& origin, std::string_view reason = {}) {
  detail::add_event(out, "authentication", action, outcome);
  if (user != "UNKNOWN") add_nonempty(out, "user.name", user);
  std::string_view tty = origin.tty;
  consume(tty, "/dev/");
  add_nonempty(out, "process.tty.name", tty);
  detail::add_source(out, origin.host);
  add_nonempty(out, "event.reason", reason);
}

// util-linux: "FROM TTY FOR USER, REASON" / "ON TTY[ BY USER][ FROM HOST]".
bool parse_util_linux(std::string_view text, std::string_view action, std::string_view outcome,
                      LineFields& out, std::string_view user = {}) {
  Origin origin;
  std::string_view reason;
  if (consume(text, "FROM ")) {
    origin.tty = scan::take_word(text);
    if (!consume(text, "FOR ")) return false;
    user = scan::take_until(text, ", ");
    reason = text;
  } else if (consume(text, "ON ")) {
    origin.tty = scan::take_word(text);
    if (consume(text, "BY ")) user = scan::take_word(text);
    if (consume(text, "FROM ")) origin.host = scan::take_word(text);
  } else {
    return false;
  }
  add_login(out, action, outcome, user, origin, reason);
  return true;
}

}  // namespace

bool parse_login(std::string_view message, LineFields& out) {
  std::string_view text = message;
  const bool too_many = consume(text, "TOO MANY LOGIN TRIES ");
  if (too_many || consume(text, "FAILED LOGIN ")) {
    const std::string_view action = too_many ? "login_too_many_tries" : "login";
    if (consume(text, "(")) {  // shadow, or util-linux's TOO MANY form
      scan::take_until(text, ")");
      if (text.starts_with(" FROM ")) {
        return parse_util_linux(text.substr(1), action, detail::kFailure, out);
      }
      Origin origin = take_shadow_origin(text);
      if (!consume(text, " FOR ")) return false;
      const std::string_view user = take_quoted(text);
      consume(text, ", ");
      add_login(out, action, detail::kFailure, user, origin, text);
      return true;
    }
    scan::take_word(text);  // util-linux's failure count
    return parse_util_linux(text, action, detail::kFailure, out);
  }
  if (consume(text, "ROOT LOGIN ")) {
    if (text.starts_with("ON ")) {
      return parse_util_linux(text, "login", detail::kSuccess, out, "root");
    }
    add_login(out, "login", detail::kSuccess, "root", take_shadow_origin(text));
    return true;
  }
  if (consume(text, "LOGIN ")) return parse_util_linux(text, "login", detail::kSuccess, out);
  if (text.starts_with("'")) {
    const std::string_view user = take_quoted(text);
    if (!consume(text, " logged in")) return false;
    add_login(out, "login", detail::kSuccess, user, take_shadow_origin(text));
    return true;
  }
  return false;
}

}  // namespace sentinel::agent::logs
