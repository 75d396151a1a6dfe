#pragma once
// The guard that keeps the agent inside its own table: every command of an nft buffer must name
// `inet sentinel` (ADR 0006 "Other tables are never listed, changed or flushed").

#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agent::firewall {

/// Checks, at the level of nft's grammar, that every top-level command of `text` is
/// `[add|create|insert|replace|delete|destroy|flush|reset] <object> inet sentinel ...` (a bare
/// `table inet sentinel {...}` is an add) and that nothing can pull in other text (`include`,
/// `define`, variables, line continuations). Fails with invalid_argument naming the line and
/// the command. Pure and thread-safe.
Status check_buffer_scope(std::string_view text);

}  // namespace sentinel::agent::firewall
