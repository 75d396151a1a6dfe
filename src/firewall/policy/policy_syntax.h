#pragma once
// The lexical rules of policy names and free text, shared by the parser (which refuses what
// breaks them) and the compiler (which relies on them when it writes nft text). Internal.

#include <optional>
#include <string>
#include <string_view>

#include "sentinel/firewall/policy.h"

namespace sentinel::firewall::detail {

/// Object and feed names: [A-Za-z][A-Za-z0-9_-]{0,31}. They become nft set names.
bool is_object_name(std::string_view name);
/// Rule ids: [A-Za-z0-9][A-Za-z0-9_.:-]{0,63}. They become nft rule comments.
bool is_rule_id(std::string_view id);
/// Interface names: [A-Za-z0-9_.-]{1,15} (IFNAMSIZ), optionally followed by '*' (a prefix).
bool is_interface_pattern(std::string_view pattern);
/// Why a log prefix cannot go into nft text (quotes, '$', '\', control or non-ASCII bytes,
/// longer than 64 bytes), or nullopt when it can.
std::optional<std::string> log_prefix_problem(std::string_view prefix);
/// Why a comment or description cannot be shown on one line (control characters, line and
/// paragraph separators, bidirectional overrides; longer than `limit` bytes), or nullopt.
std::optional<std::string> free_text_problem(std::string_view text, std::size_t limit);
/// The text with every byte below 0x20 and 0x7f replaced by a space: a second guard, after
/// the parser, so that nothing can start a new nft line.
std::string single_line(std::string_view text);

/// Appends `word` to `text`, with a space between when both are non-empty.
void append_word(std::string& text, std::string_view word);

/// "22" or "8000-8080".
std::string format_port_range(const PortRange& range);
/// A port item as written in JSON: a range or a port set name.
std::string format_port_item(const PortItem& item);
/// An address item as written in JSON: a network or an address set name.
std::string format_address_item(const AddressItem& item);

}  // namespace sentinel::firewall::detail
