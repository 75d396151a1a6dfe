#pragma once
// The grammar of one target token, shared by target sets and scopes.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/ip_address.h"

namespace sentinel::scan {

/// One parsed token: address ranges for literals, or a host name still to resolve.
struct TargetToken {
  std::vector<AddressRange> ranges;
  std::string host_name;
};

/// Parses an address, CIDR (`10.0.0.0/24`, `2001:db8::/120`), range (`10.0.0.5-40`,
/// `10.0.1-3.0-255`, `10.0.0.5-10.0.0.80`, `2001:db8::1-2001:db8::ff`) or host name. The
/// error's message says why the token is bad (without the token). At most `max_ranges` ranges.
Result<TargetToken> parse_target_token(std::string_view token, std::size_t max_ranges);

/// Parses `address/prefix` or a single address; the error's message says why.
Result<AddressRange> parse_cidr(std::string_view token);

/// A token quoted for an error message: cut after 40 characters, non-printable bytes escaped,
/// so that a message stays readable and safe to log.
std::string quoted_piece(std::string_view text);

/// Splits a list at commas and ASCII whitespace, dropping empty pieces.
std::vector<std::string_view> split_list(std::string_view text);

/// Why an IPv6 range may not be scanned as IPv6, or empty: IPv4-mapped addresses
/// (::ffff:0:0/96) reach IPv4 hosts through a v6 socket, around an IPv4-only scope.
std::string mapped_v4_problem(const AddressRange& range);

}  // namespace sentinel::scan
