// su's log lines. util-linux su (Debian 12): "(to root) alice on pts/0", "FAILED SU (to root)
// alice on pts/0". shadow su (older Debian, other distributions): "Successful su for root by
// alice", "FAILED su for root by alice", "+ pts/0 alice:root", "- pts/0 alice:root".

#include "agent/collectors/logs/parser_fields.h"
#include "agent/collectors/logs/program_parsers.h"

namespace sentinel::agent::logs {
namespace {

void add_su(LineFields& out, bool success, std::string_view user, std::string_view target,
            std::string_view tty) {
  detail::add_event(out, "authentication", "su", success ? detail::kSuccess : detail::kFailure);
  detail::add_nonempty(out, "user.name", user);
  detail::add_nonempty(out, "user.target.name", target);
  if (tty != "none" && tty != "???") detail::add_nonempty(out, "process.tty.name", tty);
}

}  // namespace

bool parse_su(std::string_view message, LineFields& out) {
  std::string_view text = message;
  const bool failed = scan::consume(text, "FAILED SU ");
  if (scan::consume(text, "(to ")) {
    const std::string_view target = scan::take_until(text, ") ");
    const std::size_t on = text.rfind(" on ");
    if (on == std::string_view::npos) return false;
    add_su(out, !failed, text.substr(0, on), target, text.substr(on + 4));
    return true;
  }
  if (failed) return false;
  const bool success = scan::consume(text, "Successful su for ");
  if (success || scan::consume(text, "FAILED su for ")) {
    const std::size_t by = text.rfind(" by ");
    if (by == std::string_view::npos) return false;
    add_su(out, success, text.substr(by + 4), text.substr(0, by), {});
    return true;
  }
  if (text.size() > 2 && (text[0] == '+' || text[0] == '-') && text[1] == ' ') {
    const bool ok = text[0] == '+';
    text.remove_prefix(2);
    const std::string_view tty = scan::take_word(text);
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || text.find(' ') != std::string_view::npos) return false;
    add_su(out, ok, text.substr(0, colon), text.substr(colon + 1), tty);
    return true;
  }
  return false;
}

}  // namespace sentinel::agent::logs
