#pragma once
// Compiles a policy into the nftables text for `table inet sentinel`: what the agent applies as
// one buffer (one netlink transaction) and what the preview shows (ADR 0006 "Compilation").

#include <string>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy.h"
#include "sentinel/firewall/ruleset.h"

namespace sentinel::firewall {

/// The table every compiled policy lives in; nothing else is ever named.
inline constexpr std::string_view kNftTable = "inet sentinel";

/// The nft text. It starts with `table inet sentinel {}` and `delete table inet sentinel`, so
/// that applied as one buffer it replaces the table atomically whether or not it existed.
/// Same document and feeds give byte-identical text. Feed sets get the contents in `feeds`,
/// else they are declared empty. Fails with invalid_argument when the document has
/// unresolvable references (validate first). Pure and thread-safe.
Result<std::string> compile_nft(const PolicyDocument& document, const FeedContents& feeds = {});

}  // namespace sentinel::firewall
