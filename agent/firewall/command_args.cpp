#include "agent/firewall/command_args.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <initializer_list>
#include <limits>
#include <map>
#include <string_view>

#include "agent/firewall/nft_buffer_scope.h"
#include "agent/firewall/nft_table.h"
#include "sentinel/firewall/address.h"

namespace sentinel::agent::firewall {
namespace {

namespace json = boost::json;

// What every compiled policy starts with (sentinel/firewall/nft_compiler.h): the buffer then
// replaces the table whether or not it existed, instead of adding to it.
constexpr std::string_view kReplacePrefix = "table inet sentinel {}\ndelete table inet sentinel\n";
constexpr std::size_t kMaxPolicyIdLength = 64;
constexpr std::size_t kSha256HexLength = 64;

Error wrong(std::string_view field, std::string_view problem) {
  return invalid_argument(fmt::format("{}: {}", field, problem), std::string(field));
}

// Every key of `object` must be one of `allowed`; the first one that is not is named.
Status only_keys(const json::object& object, std::string_view where,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : object) {
    if (std::find(allowed.begin(), allowed.end(), std::string_view(key)) != allowed.end()) {
      continue;
    }
    const std::string field = where.empty() ? std::string(key) : fmt::format("{}.{}", where, key);
    if (allowed.size() == 0) return wrong(field, "unknown argument (this command takes none)");
    return wrong(field, fmt::format("unknown argument (expected {})", fmt::join(allowed, ", ")));
  }
  return ok();
}

Result<const json::value*> required(const json::object& object, std::string_view key,
                                    std::string_view field) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return wrong(field, "missing");
  return value;
}

Result<std::int64_t> integer(const json::value& value, std::string_view field, std::int64_t min,
                             std::int64_t max) {
  // A double (even 60.0) is refused: the protocol sends whole numbers only.
  if (!value.is_int64() && !value.is_uint64()) return wrong(field, "must be an integer");
  if (value.is_uint64() && value.get_uint64() > static_cast<std::uint64_t>(max)) {
    return wrong(field, fmt::format("must be from {} to {}", min, max));
  }
  const std::int64_t number =
      value.is_int64() ? value.get_int64() : static_cast<std::int64_t>(value.get_uint64());
  if (number < min || number > max) {
    return wrong(field, fmt::format("must be from {} to {}", min, max));
  }
  return number;
}

Result<std::string> policy_id(const json::value& value) {
  constexpr std::string_view kField = "policy_id";
  if (value.is_int64() || value.is_uint64()) {
    SENTINEL_ASSIGN(number, integer(value, kField, 1, std::numeric_limits<std::int64_t>::max()));
    return std::to_string(number);
  }
  if (!value.is_string()) return wrong(kField, "must be a string or a positive integer");
  const json::string& text = value.get_string();
  if (text.empty() || text.size() > kMaxPolicyIdLength) {
    return wrong(kField, fmt::format("must be 1 to {} characters", kMaxPolicyIdLength));
  }
  for (const char c : text) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
    if (!allowed) return wrong(kField, "may contain only letters, digits and _ - . :");
  }
  return std::string(text);
}

Result<std::string> document_hash(const json::value& value) {
  constexpr std::string_view kField = "document_hash";
  if (!value.is_string()) return wrong(kField, "must be a string");
  const json::string& text = value.get_string();
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (text.size() != kSha256HexLength || !hex) {
    return wrong(kField, "must be a SHA-256 in 64 lower-case hex digits");
  }
  return std::string(text);
}

Result<std::string> nft_text(const json::value& value) {
  constexpr std::string_view kField = "nft";
  if (!value.is_string()) return wrong(kField, "must be a string");
  const json::string& text = value.get_string();
  if (text.size() > kMaxNftTextBytes) {
    return wrong(kField, fmt::format("longer than {} bytes", kMaxNftTextBytes));
  }
  // libnftables reads a C string: a NUL would silently cut the ruleset short.
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 && byte != '\n' && byte != '\t') {
      return wrong(kField, fmt::format("control character 0x{:02x} at byte {}", byte, i));
    }
  }
  if (!std::string_view(text).starts_with(kReplacePrefix)) {
    return wrong(kField,
                 "must start with 'table inet sentinel {}' and 'delete table inet sentinel' "
                 "(as compiled policies do), so that it replaces the table");
  }
  if (Status scoped = check_buffer_scope(text); !scoped) {
    return wrong(kField, scoped.error().message);
  }
  return std::string(text);
}

// A host address to block: canonical text; networks, loopback and unspecified are refused.
Result<std::string> block_address(const json::value& value, std::string_view field) {
  if (!value.is_string()) return wrong(field, "must be a string");
  auto parsed = sentinel::firewall::parse_ip_address(value.get_string());
  if (!parsed) return wrong(field, parsed.error().message);
  if (sentinel::firewall::is_loopback(*parsed)) {
    return wrong(field, "a loopback address is never blocked");
  }
  if (parsed->value == 0) return wrong(field, "the unspecified address is never blocked");
  return sentinel::firewall::format_ip_address(*parsed);
}

Result<std::vector<std::string>> address_list(const json::object& args) {
  constexpr std::string_view kField = "addresses";
  SENTINEL_ASSIGN(value, required(args, kField, kField));
  if (!value->is_array()) return wrong(kField, "must be an array of addresses");
  const json::array& items = value->get_array();
  if (items.empty()) return wrong(kField, "must not be empty");
  if (items.size() > kMaxCommandAddresses) {
    return wrong(kField, fmt::format("at most {} addresses", kMaxCommandAddresses));
  }
  std::vector<std::string> addresses;
  addresses.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    SENTINEL_ASSIGN(address, block_address(items[i], fmt::format("{}[{}]", kField, i)));
    addresses.push_back(std::move(address));
  }
  // The same address twice (also spelt differently: 2001:DB8::1, 2001:db8::1) is one block.
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  return addresses;
}

Result<std::vector<BlockEntry>> block_entries(const json::value& value) {
  constexpr std::string_view kField = "blocks";
  if (!value.is_array()) return wrong(kField, "must be an array of {address, remaining_s}");
  const json::array& items = value.get_array();
  if (items.size() > kMaxCommandAddresses) {
    return wrong(kField, fmt::format("at most {} blocks", kMaxCommandAddresses));
  }
  // An address in scope twice (an agent block and a group block) keeps the longer one.
  std::map<std::string, std::chrono::seconds> longest;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string where = fmt::format("{}[{}]", kField, i);
    if (!items[i].is_object()) return wrong(where, "must be an object {address, remaining_s}");
    const json::object& item = items[i].get_object();
    SENTINEL_TRY(only_keys(item, where, {"address", "remaining_s"}));
    SENTINEL_ASSIGN(address_value, required(item, "address", where + ".address"));
    SENTINEL_ASSIGN(address, block_address(*address_value, where + ".address"));
    SENTINEL_ASSIGN(remaining_value, required(item, "remaining_s", where + ".remaining_s"));
    SENTINEL_ASSIGN(remaining,
                    integer(*remaining_value, where + ".remaining_s", 1, kMaxBlockTtl.count()));
    auto& ttl = longest[address];
    ttl = std::max(ttl, std::chrono::seconds(remaining));
  }
  std::vector<BlockEntry> blocks;
  blocks.reserve(longest.size());
  for (const auto& [address, ttl] : longest) blocks.push_back({address, ttl});
  return blocks;
}

}  // namespace

Result<ApplyArgs> parse_apply_args(const json::object& args) {
  SENTINEL_TRY(
      only_keys(args, "", {"policy_id", "version", "document_hash", "nft", "grace_s", "blocks"}));
  ApplyArgs parsed;
  SENTINEL_ASSIGN(id_value, required(args, "policy_id", "policy_id"));
  SENTINEL_ASSIGN(id, policy_id(*id_value));
  parsed.policy_id = std::move(id);
  SENTINEL_ASSIGN(version_value, required(args, "version", "version"));
  SENTINEL_ASSIGN(version,
                  integer(*version_value, "version", 1, std::numeric_limits<std::int64_t>::max()));
  parsed.release.version = version;
  SENTINEL_ASSIGN(hash_value, required(args, "document_hash", "document_hash"));
  SENTINEL_ASSIGN(hash, document_hash(*hash_value));
  parsed.release.document_hash = std::move(hash);
  SENTINEL_ASSIGN(nft_value, required(args, "nft", "nft"));
  SENTINEL_ASSIGN(text, nft_text(*nft_value));
  parsed.release.nft_text = std::move(text);
  SENTINEL_ASSIGN(grace_value, required(args, "grace_s", "grace_s"));
  SENTINEL_ASSIGN(grace, integer(*grace_value, "grace_s", 1, kMaxGraceSeconds));
  parsed.grace = std::chrono::seconds(grace);
  if (const json::value* blocks = args.if_contains("blocks")) {
    SENTINEL_ASSIGN(entries, block_entries(*blocks));
    parsed.blocks = std::move(entries);
  }
  return parsed;
}

Result<ConfirmArgs> parse_confirm_args(const json::object& args) {
  SENTINEL_TRY(only_keys(args, "", {"version"}));
  SENTINEL_ASSIGN(value, required(args, "version", "version"));
  SENTINEL_ASSIGN(version, integer(*value, "version", 1, std::numeric_limits<std::int64_t>::max()));
  return ConfirmArgs{version};
}

Result<BlockArgs> parse_block_args(const json::object& args) {
  SENTINEL_TRY(only_keys(args, "", {"addresses", "duration_s"}));
  SENTINEL_ASSIGN(addresses, address_list(args));
  SENTINEL_ASSIGN(duration_value, required(args, "duration_s", "duration_s"));
  SENTINEL_ASSIGN(duration, integer(*duration_value, "duration_s", 1, kMaxBlockTtl.count()));
  return BlockArgs{std::move(addresses), std::chrono::seconds(duration)};
}

Result<UnblockArgs> parse_unblock_args(const json::object& args) {
  SENTINEL_TRY(only_keys(args, "", {"addresses"}));
  SENTINEL_ASSIGN(addresses, address_list(args));
  return UnblockArgs{std::move(addresses)};
}

Status parse_status_args(const json::object& args) { return only_keys(args, "", {}); }

}  // namespace sentinel::agent::firewall
