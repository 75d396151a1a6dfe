#include "target_syntax.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

namespace sentinel::scan {
namespace {

constexpr std::size_t kMaxHostNameLength = 253;
constexpr std::size_t kMaxLabelLength = 63;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::string quoted_piece(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 40)) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    }
  }
  if (text.size() > 40) out += "...";
  return "'" + out + "'";
}

namespace {

/// Decimal 0..255 without leading zeros, or why not.
Result<std::uint32_t> parse_octet(std::string_view text) {
  if (text.empty()) return invalid_argument("an octet is empty");
  if (text.size() > 3 || !std::all_of(text.begin(), text.end(), is_digit)) {
    return invalid_argument(
        fmt::format("octet {} is not a number from 0 to 255", quoted_piece(text)));
  }
  if (text.size() > 1 && text[0] == '0') {
    return invalid_argument(
        fmt::format("octet {} has a leading zero (octal is not accepted)", quoted_piece(text)));
  }
  std::uint32_t value = 0;
  for (const char c : text) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  if (value > 255) {
    return invalid_argument(fmt::format("octet {} is above 255", quoted_piece(text)));
  }
  return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

Result<IpAddress> parse_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    if (text.find('%') != std::string_view::npos) {
      return invalid_argument("an IPv6 zone index (%...) is not supported");
    }
    if (const auto address = IpAddress::parse(text)) return *address;
    return invalid_argument(fmt::format("{} is not an IPv6 address", quoted_piece(text)));
  }
  const auto octets = split(text, '.');
  if (octets.size() != 4) {
    return invalid_argument(
        fmt::format("{} is not an IPv4 address (expected 4 octets)", quoted_piece(text)));
  }
  std::uint32_t value = 0;
  for (const auto octet : octets) {
    SENTINEL_ASSIGN(number, parse_octet(octet));
    value = (value << 8) | number;
  }
  return IpAddress::v4(value);
}

/// `10.0.1-3.0-255`: each octet a number or an inclusive range. Every combination of the
/// octets before the last non-full one is one contiguous range.
Result<std::vector<AddressRange>> parse_octet_ranges(std::string_view token,
                                                     std::size_t max_ranges) {
  const auto parts = split(token, '.');
  if (parts.size() != 4) {
    return invalid_argument("expected 4 dot-separated octets or octet ranges");
  }
  std::array<std::uint32_t, 4> low{};
  std::array<std::uint32_t, 4> high{};
  for (std::size_t i = 0; i < 4; ++i) {
    const auto bounds = split(parts[i], '-');
    if (bounds.size() > 2) {
      return invalid_argument(
          fmt::format("octet {} has more than one '-'", quoted_piece(parts[i])));
    }
    SENTINEL_ASSIGN(first, parse_octet(bounds[0]));
    std::uint32_t last = first;
    if (bounds.size() == 2) {
      SENTINEL_ASSIGN(end, parse_octet(bounds[1]));
      if (end < first) {
        return invalid_argument(
            fmt::format("octet range {} runs backwards", quoted_piece(parts[i])));
      }
      last = end;
    }
    low[i] = first;
    high[i] = last;
  }
  // Octets after `split_at` are full (0-255), so octet `split_at` gives contiguous runs.
  std::size_t split_at = 3;
  while (split_at > 0 && low[split_at] == 0 && high[split_at] == 255) --split_at;
  std::uint64_t count = 1;
  for (std::size_t i = 0; i < split_at; ++i) count *= high[i] - low[i] + 1;
  if (count > max_ranges) {
    return invalid_argument(fmt::format(
        "octet ranges expand to {} separate ranges, more than the limit of {}", count, max_ranges));
  }
  const int shift = static_cast<int>(8 * (3 - split_at));
  const std::uint32_t tail = shift == 0 ? 0 : (std::uint32_t{1} << shift) - 1;
  std::vector<AddressRange> ranges;
  ranges.reserve(count);
  std::array<std::uint32_t, 4> current = low;
  while (true) {
    std::uint32_t prefix = 0;
    for (std::size_t i = 0; i < split_at; ++i) prefix |= current[i] << (8 * (3 - i));
    const std::uint32_t first = prefix | (low[split_at] << shift);
    const std::uint32_t last = prefix | (high[split_at] << shift) | tail;
    ranges.push_back({IpAddress::v4(first), IpAddress::v4(last)});
    // Odometer over the octets before `split_at`.
    std::size_t i = split_at;
    while (i > 0) {
      --i;
      if (current[i] < high[i]) {
        ++current[i];
        break;
      }
      current[i] = low[i];
      if (i == 0) return ranges;
    }
    if (split_at == 0) return ranges;
  }
}

Result<AddressRange> parse_full_range(std::string_view token, std::size_t dash) {
  SENTINEL_ASSIGN(first, parse_address(token.substr(0, dash)));
  SENTINEL_ASSIGN(last, parse_address(token.substr(dash + 1)));
  if (first.family() != last.family()) {
    return invalid_argument("a range cannot mix IPv4 and IPv6");
  }
  if (last < first) return invalid_argument("the range runs backwards");
  return AddressRange{first, last};
}

Result<std::string> parse_host_name(std::string_view token) {
  std::string_view name = token;
  if (name.size() > 1 && name.back() == '.') name.remove_suffix(1);  // a fully qualified name
  if (name.size() > kMaxHostNameLength) {
    return invalid_argument(
        fmt::format("host name is longer than {} characters", kMaxHostNameLength));
  }
  const auto labels = split(name, '.');
  for (const auto label : labels) {
    if (label.empty()) return invalid_argument("host name has an empty label");
    if (label.size() > kMaxLabelLength) {
      return invalid_argument(
          fmt::format("host name label is longer than {} characters", kMaxLabelLength));
    }
    for (const char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-') {
        return invalid_argument(
            fmt::format("not an address, range, CIDR or host name: character {} is not allowed",
                        quoted_piece(std::string_view(&c, 1))));
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return invalid_argument("a host name label may not start or end with '-'");
    }
  }
  // RFC 1123 2.1: a name whose last label is numeric would read as an address.
  if (std::all_of(labels.back().begin(), labels.back().end(), is_digit)) {
    return invalid_argument("host name ends in a numeric label");
  }
  return std::string(name);
}

bool looks_like_ipv4(std::string_view token) {
  return !token.empty() && is_digit(token.front()) &&
         std::all_of(token.begin(), token.end(),
                     [](char c) { return is_digit(c) || c == '.' || c == '-'; });
}

}  // namespace

std::vector<std::string_view> split_list(std::string_view text) {
  std::vector<std::string_view> tokens;
  std::size_t start = 0;
  const auto is_separator = [](char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || is_separator(text[i])) {
      if (i > start) tokens.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return tokens;
}

std::string mapped_v4_problem(const AddressRange& range) {
  if (range.first.is_v4()) return {};
  const Uint128 mapped_first = Uint128{0xffff} << 32;
  const Uint128 mapped_last = mapped_first | 0xffffffffU;
  if (range.last.value() < mapped_first || range.first.value() > mapped_last) return {};
  return "it covers IPv4-mapped IPv6 addresses (::ffff:0:0/96); write IPv4 targets as IPv4";
}

Result<AddressRange> parse_cidr(std::string_view token) {
  const auto slash = token.find('/');
  if (slash == std::string_view::npos) {
    SENTINEL_ASSIGN(address, parse_address(token));
    return AddressRange::single(address);
  }
  const std::string_view base_text = token.substr(0, slash);
  if (base_text.find(':') == std::string_view::npos &&
      std::any_of(base_text.begin(), base_text.end(), is_alpha)) {
    return invalid_argument("a host name cannot take a prefix length");
  }
  SENTINEL_ASSIGN(base, parse_address(base_text));
  const std::string_view length_text = token.substr(slash + 1);
  const bool digits = !length_text.empty() && length_text.size() <= 3 &&
                      std::all_of(length_text.begin(), length_text.end(), is_digit) &&
                      (length_text.size() == 1 || length_text[0] != '0');
  int length = 0;
  if (digits) {
    for (const char c : length_text) length = length * 10 + (c - '0');
  }
  if (!digits || length > base.bits()) {
    return invalid_argument(fmt::format("prefix length {} is not a number from 0 to {}",
                                        quoted_piece(length_text), base.bits()));
  }
  const int host_bits = base.bits() - length;
  const Uint128 host_mask = host_bits == 128 ? ~Uint128{0} : (Uint128{1} << host_bits) - 1;
  if ((base.value() & host_mask) != 0) {
    // 10.0.0.5/24 may mean the host or the subnet; a scan must not guess which.
    const IpAddress network = base.minus(base.value() & host_mask);
    return invalid_argument(
        fmt::format("host bits are set; the network is {}/{}", network.to_string(), length));
  }
  return AddressRange{base, base.plus(host_mask)};
}

Result<TargetToken> parse_target_token(std::string_view token, std::size_t max_ranges) {
  if (token.front() == '[') return invalid_argument("write IPv6 addresses without brackets");
  TargetToken parsed;
  if (token.find('/') != std::string_view::npos) {
    SENTINEL_ASSIGN(range, parse_cidr(token));
    parsed.ranges.push_back(range);
  } else if (token.find(':') != std::string_view::npos) {
    const auto dash = token.find('-');
    if (dash == std::string_view::npos) {
      SENTINEL_ASSIGN(address, parse_address(token));
      parsed.ranges.push_back(AddressRange::single(address));
    } else {
      if (token.find('-', dash + 1) != std::string_view::npos) {
        return invalid_argument("a range has more than one '-'");
      }
      SENTINEL_ASSIGN(range, parse_full_range(token, dash));
      parsed.ranges.push_back(range);
    }
  } else if (looks_like_ipv4(token)) {
    const auto dash = token.find('-');
    const bool full_range = dash != std::string_view::npos &&
                            token.find('-', dash + 1) == std::string_view::npos &&
                            std::count(token.begin() + dash, token.end(), '.') == 3;
    if (full_range) {
      SENTINEL_ASSIGN(range, parse_full_range(token, dash));
      parsed.ranges.push_back(range);
    } else {
      SENTINEL_ASSIGN(ranges, parse_octet_ranges(token, max_ranges));
      parsed.ranges = std::move(ranges);
    }
  } else {
    SENTINEL_ASSIGN(name, parse_host_name(token));
    parsed.host_name = std::move(name);
    return parsed;
  }
  for (const AddressRange& range : parsed.ranges) {
    if (auto problem = mapped_v4_problem(range); !problem.empty()) {
      return invalid_argument(std::move(problem));
    }
  }
  return parsed;
}

}  // namespace sentinel::scan
