#pragma once
// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.

#include <cstddef>
#include <optional>
#include <string_view>

namespace sentinel::gateway {

/// The offset of the first byte that is not part of a well-formed UTF-8 sequence, or nullopt.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace sentinel::gateway
