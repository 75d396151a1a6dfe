#pragma once
// Reading passwords and codes from the user: piped stdin or an interactive prompt.

#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::ctl {

/// Whether stdin is a terminal, so that prompting makes sense.
bool stdin_is_terminal();

/// One line from stdin without its line ending (for --password-stdin); an error when stdin is
/// empty.
Result<Secret> read_stdin_line(std::string_view what);

/// Prints `prompt` on stderr and reads a line from the terminal; `hidden` turns echo off.
Result<Secret> prompt(std::string_view prompt, bool hidden);

}  // namespace sentinel::ctl
