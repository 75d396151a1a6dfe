// cron's log lines (Debian's cron 3.0 as "CRON"/"cron", cronie as "CROND"/"crond", and
// crontab):
//   (root) CMD (   cd / && run-parts --report /etc/cron.hourly)
//   (alice) RELOAD (crontabs/alice)
//   (root) REPLACE (alice)      (alice) BEGIN EDIT (alice)      (root) DELETE (root)
//   (CRON) info (No MTA installed, discarding output)

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {

bool parse_cron(std::string_view message, LineFields& out) {
  std::string_view text = message;
  if (!scan::consume(text, "(")) return false;
  const std::string_view user = scan::take_until(text, ") ");
  if (user.empty() || user == "CRON" || user == "*system*") return false;
  const std::size_t open = text.find(" (");
  if (open == std::string_view::npos || text.back() != ')') return false;
  const std::string_view verb = text.substr(0, open);
  // The argument runs to the last ')': a command may hold parentheses of its own.
  const std::string_view argument = text.substr(open + 2, text.size() - open - 3);
  if (verb == "CMD") {
    detail::add_event(out, "process", "cron_command");
    out.add("user.name", user);
    detail::add_nonempty(out, "process.command_line", scan::trim(argument));
    return true;
  }
  std::string_view action;
  if (verb == "REPLACE") {
    action = "crontab_replaced";
  } else if (verb == "DELETE") {
    action = "crontab_deleted";
  } else if (verb == "BEGIN EDIT") {
    action = "crontab_edit_started";
  } else if (verb == "RELOAD") {
    action = "crontab_reloaded";
  } else {
    return false;
  }
  detail::add_event(out, "configuration", action);
  out.add("user.name", user);
  if (verb != "RELOAD" && argument != user) detail::add_nonempty(out, "user.target.name", argument);
  return true;
}

}  // namespace sentinel::agent::logs
