// The firewall's untrusted inputs besides policies: the block and allow-list bodies a client
// posts, the command arguments an agent takes from the channel (the nft text behind the scope
// guard included), and the answers the server takes from agents. The first byte picks the
// reader, the rest is its input. Checks what enforcement relies on: addresses an agent accepts
// are canonical, distinct, not loopback and within the cap; nft text it accepts names only
// its own table; readers refuse with a field name.

#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "agent/firewall/command_args.h"
#include "agent/firewall/nft_buffer_scope.h"
#include "sentinel/firewall/address.h"
#include "src/firewall/block_body.h"
#include "src/firewall/firewall_commands.h"

namespace {

namespace fw = sentinel::firewall;
namespace agent_fw = sentinel::agent::firewall;

void require(bool condition) {
  if (!condition) std::abort();
}

template <typename T>
void require_named_error(const sentinel::Result<T>& result) {
  if (!result) require(!result.error().message.empty());
}

void require_named_error(const sentinel::Status& status) {
  if (!status) require(!status.error().message.empty());
}

// What an agent puts into its table: canonical host addresses, each once, never its own
// loopback.
void check_addresses(const std::vector<std::string>& addresses) {
  require(!addresses.empty() && addresses.size() <= agent_fw::kMaxCommandAddresses);
  std::set<std::string> seen;
  for (const std::string& text : addresses) {
    auto address = fw::parse_ip_address(text);
    require(address.has_value());
    require(fw::format_ip_address(*address) == text);
    require(!fw::is_loopback(*address));
    require(seen.insert(text).second);
  }
}

void agent_commands(const boost::json::object& args) {
  auto apply = agent_fw::parse_apply_args(args);
  require_named_error(apply);
  if (apply) {
    require(agent_fw::check_buffer_scope(apply->release.nft_text).has_value());
    require(apply->grace.count() >= 0 && apply->grace.count() <= agent_fw::kMaxGraceSeconds);
    for (const auto& block : apply->blocks) require(block.ttl.count() > 0);
  }
  require_named_error(agent_fw::parse_confirm_args(args));
  auto block = agent_fw::parse_block_args(args);
  require_named_error(block);
  if (block) {
    check_addresses(block->addresses);
    require(block->duration.count() > 0);
  }
  auto unblock = agent_fw::parse_unblock_args(args);
  require_named_error(unblock);
  if (unblock) check_addresses(unblock->addresses);
  require_named_error(agent_fw::parse_status_args(args));
}

void agent_answers(const boost::json::object& result) {
  require_named_error(fw::parse_apply_result(result));
  require_named_error(fw::parse_confirm_result(result));
  require_named_error(fw::parse_status_result(result));
  // What the server logs and audits of a left-out block is printable ASCII.
  auto left_out = fw::parse_left_out(result, fw::kBlockCommand);
  require_named_error(left_out);
  if (left_out) {
    for (const fw::LeftOutBlock& each : *left_out) {
      for (const char c : each.address + each.reason) require(c >= 0x20 && c < 0x7f);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0:
      require_named_error(fw::parse_block_body(input));
      require_named_error(fw::parse_allow_list_body(input));
      return 0;
    case 1: {
      // Raw nft text, as it would arrive inside firewall_apply.
      require_named_error(agent_fw::check_buffer_scope(input));
      return 0;
    }
    default: {
      boost::system::error_code error;
      boost::json::value value = boost::json::parse(input, error);
      if (error || !value.is_object()) return 0;
      if (data[0] % 4 == 2) {
        agent_commands(value.as_object());
      } else {
        agent_answers(value.as_object());
      }
      return 0;
    }
  }
}
