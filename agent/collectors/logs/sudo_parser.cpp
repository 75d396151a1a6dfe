// sudo's log lines (1.9 as on Debian 12):
//   "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"
//   "alice : 3 incorrect password attempts ; TTY=pts/0 ; PWD=... ; USER=root ; COMMAND=..."
//   "bob : user NOT in sudoers ; TTY=pts/1 ; PWD=... ; USER=root ; COMMAND=/bin/bash"
// COMMAND is always last and may itself hold " ; ", so it runs to the end of the line.

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {

using detail::add_nonempty;

bool parse_sudo(std::string_view message, LineFields& out) {
  std::string_view text = scan::trim(message);
  const std::size_t colon = text.find(" : ");
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view user = text.substr(0, colon);
  if (user.find(' ') != std::string_view::npos) return false;
  text.remove_prefix(colon + 3);

  std::string_view reason, tty, pwd, target, group, command;
  bool has_command = false;
  bool first = true;
  while (!text.empty()) {
    if (scan::consume(text, "COMMAND=")) {
      command = text;
      has_command = true;
      break;
    }
    const std::string_view part = scan::take_until(text, " ; ");
    std::string_view value = part;
    if (scan::consume(value, "TTY=")) {
      tty = value;
    } else if (scan::consume(value, "PWD=")) {
      pwd = value;
    } else if (scan::consume(value, "USER=")) {
      target = value;
    } else if (scan::consume(value, "GROUP=")) {
      group = value;
    } else if (first && part.find('=') == std::string_view::npos) {
      reason = part;  // "3 incorrect password attempts", "user NOT in sudoers", ...
    }
    first = false;
  }
  if (!has_command && target.empty()) return false;

  const bool refused = !reason.empty();
  const bool password = reason.find("incorrect password") != std::string_view::npos;
  detail::add_event(out, refused && password ? "authentication" : "process", "sudo_command",
                    refused ? detail::kFailure : detail::kSuccess);
  out.add("user.name", user);
  add_nonempty(out, "user.target.name", target);
  add_nonempty(out, "user.target.group.name", group);
  add_nonempty(out, "process.tty.name", tty);
  add_nonempty(out, "process.working_directory", pwd);
  add_nonempty(out, "process.command_line", command);
  add_nonempty(out, "event.reason", reason);
  return true;
}

}  // namespace sentinel::agent::logs
