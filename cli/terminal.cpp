#include "terminal.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

namespace sentinel::ctl {

bool stdin_is_terminal() { return ::isatty(STDIN_FILENO) == 1; }

Result<Secret> read_stdin_line(std::string_view what) {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    return invalid_argument("expected the " + std::string(what) + " on stdin, got nothing");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return Secret(std::move(line));
}

Result<Secret> prompt(std::string_view prompt, bool hidden) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool toggled = hidden && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (toggled) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  const bool read = static_cast<bool>(std::getline(std::cin, line));
  if (toggled) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
  }
  if (!read) return invalid_argument("no input");
  return Secret(std::move(line));
}

}  // namespace sentinel::ctl
