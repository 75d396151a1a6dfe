#pragma once
// IPv4 and IPv6 addresses as numbers, and inclusive address ranges: the unit that target sets,
// scopes and shards are made of.

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentinel::scan {

/// An unsigned 128-bit integer (GCC and Clang builtin); an IPv6 address is one.
__extension__ typedef unsigned __int128 Uint128;

/// Decimal text of a 128-bit number (fmt and iostreams do not format it portably).
std::string to_decimal(Uint128 value);

enum class AddressFamily : std::uint8_t { kIpv4, kIpv6 };

/// An IPv4 or IPv6 address as a number (IPv4 in the low 32 bits). IPv4 sorts before IPv6.
/// A plain value, freely copied.
class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(std::uint32_t value) { return IpAddress(AddressFamily::kIpv4, value); }
  static IpAddress v6(Uint128 value) { return IpAddress(AddressFamily::kIpv6, value); }
  /// From 16 network-order bytes.
  static IpAddress v6_bytes(const std::uint8_t (&bytes)[16]);

  /// Strict literal parsing: dotted-quad IPv4 without leading zeros, or IPv6 as inet_pton takes
  /// it (no zone index, no brackets). nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::kIpv4; }
  Uint128 value() const { return value_; }
  /// The largest value of this family (255.255.255.255 or ffff:...:ffff).
  Uint128 max_value() const;
  /// Address bit width: 32 or 128.
  int bits() const { return is_v4() ? 32 : 128; }
  /// The address `delta` above this one; the caller keeps the result within the family.
  IpAddress plus(Uint128 delta) const { return IpAddress(family_, value_ + delta); }
  /// The address `delta` below this one; the caller keeps the result within the family.
  IpAddress minus(Uint128 delta) const { return IpAddress(family_, value_ - delta); }
  /// 16 network-order bytes (IPv6 only).
  void to_bytes(std::uint8_t (&bytes)[16]) const;

  /// Canonical text: dotted quad, or RFC 5952 IPv6.
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
    if (a.family_ != b.family_) return a.family_ <=> b.family_;
    return a.value_ == b.value_  ? std::strong_ordering::equal
           : a.value_ < b.value_ ? std::strong_ordering::less
                                 : std::strong_ordering::greater;
  }

 private:
  IpAddress(AddressFamily family, Uint128 value) : family_(family), value_(value) {}

  AddressFamily family_ = AddressFamily::kIpv4;
  Uint128 value_ = 0;
};

/// An inclusive range [first, last] of one family, first <= last. A plain value.
struct AddressRange {
  IpAddress first;
  IpAddress last;

  /// The range of one address.
  static AddressRange single(IpAddress address) { return {address, address}; }
  /// Number of addresses, saturated at the largest Uint128 (only ::/0 saturates).
  Uint128 size() const;
  bool contains(IpAddress address) const { return first <= address && address <= last; }
  /// "10.0.0.7", "10.0.0.0/24" when the range is exactly one CIDR block, else
  /// "10.0.0.5-10.0.0.80".
  std::string to_string() const;
  /// The fewest CIDR blocks that cover exactly this range, ascending ("10.0.0.5",
  /// "10.0.0.6/31", "10.0.0.8/29", ...): for tools that take no arbitrary ranges (nmap).
  std::vector<std::string> cidrs() const;

  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

}  // namespace sentinel::scan

template <>
struct std::hash<sentinel::scan::IpAddress> {
  std::size_t operator()(const sentinel::scan::IpAddress& address) const noexcept {
    const auto value = address.value();
    const auto high = static_cast<std::uint64_t>(value >> 64);
    const auto low = static_cast<std::uint64_t>(value);
    return std::hash<std::uint64_t>{}(low ^ (high * 0x9e3779b97f4a7c15ULL) ^
                                      static_cast<std::uint64_t>(address.family()));
  }
};
