#include "agent/firewall/nft_table.h"

#include <nftables/libnftables.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <string_view>

#include "agent/firewall/nft_buffer_scope.h"
#include "agent/firewall/nft_listing.h"
#include "sentinel/firewall/address.h"

namespace sentinel::agent::firewall {
namespace {

std::string trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  return std::string(text);
}

// The block set an address belongs in and its canonical text.
struct BlockTarget {
  std::string set;
  std::string address;
};

Result<BlockTarget> block_target(const std::string& address) {
  auto parsed = sentinel::firewall::parse_ip_address(address);
  if (!parsed) return invalid_argument(parsed.error().message, "address");
  return BlockTarget{parsed->family == sentinel::firewall::IpFamily::kV4 ? "block_v4" : "block_v6",
                     sentinel::firewall::format_ip_address(*parsed)};
}

// nft's JSON listing: the objects of the `nftables` array.
Result<boost::json::array> json_items(const std::string& output) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(output, ec);
  if (ec || !value.is_object() || !value.as_object().contains("nftables") ||
      !value.as_object().at("nftables").is_array()) {
    return internal_error("unexpected JSON listing from libnftables");
  }
  return value.as_object().at("nftables").as_array();
}

std::int64_t int_field(const boost::json::object& object, std::string_view key) {
  const auto* v = object.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

Result<std::unique_ptr<NftTable>> NftTable::create() {
  nft_ctx* text = nft_ctx_new(NFT_CTX_DEFAULT);
  nft_ctx* json = nft_ctx_new(NFT_CTX_DEFAULT);
  if (text == nullptr || json == nullptr) {
    if (text != nullptr) nft_ctx_free(text);
    if (json != nullptr) nft_ctx_free(json);
    return unavailable("libnftables cannot create a context");
  }
  for (nft_ctx* ctx : {text, json}) {
    nft_ctx_clear_include_paths(ctx);
    nft_ctx_buffer_output(ctx);
    nft_ctx_buffer_error(ctx);
  }
  nft_ctx_output_set_flags(json, NFT_CTX_OUTPUT_JSON);
  return std::unique_ptr<NftTable>(new NftTable(text, json));
}

NftTable::~NftTable() {
  nft_ctx_free(text_);
  nft_ctx_free(json_);
}

Result<std::string> NftTable::run(nft_ctx* ctx, const std::string& commands, unsigned flags) {
  nft_ctx_output_set_flags(ctx, flags);
  const int rc = nft_run_cmd_from_buffer(ctx, commands.c_str());
  // Reading a buffer also empties it for the next command.
  std::string output = nft_ctx_get_output_buffer(ctx);
  std::string error = trimmed(nft_ctx_get_error_buffer(ctx));
  if (rc != 0) {
    return Error{ErrorCode::kUnavailable, error.empty() ? "nft command failed" : error,
                 "nft_failed", "nft_text"};
  }
  return output;
}

Status NftTable::apply(const std::string& text) {
  SENTINEL_TRY(check_buffer_scope(text));
  SENTINEL_TRY(run(text_, text, 0));
  return ok();
}

Result<bool> NftTable::exists() {
  // `list chains` does not dump set elements (cheap with a 100k set); `list tables` does, so it
  // is asked only when no chain of ours shows up.
  for (const char* command : {"list chains inet", "list tables inet"}) {
    SENTINEL_ASSIGN(listed, run(json_, command, NFT_CTX_OUTPUT_JSON));
    SENTINEL_ASSIGN(items, json_items(listed));
    for (const auto& item : items) {
      if (!item.is_object()) continue;
      const auto& object = item.as_object();
      const auto* chain = object.if_contains("chain");
      if (chain != nullptr && chain->is_object() && chain->as_object().contains("table") &&
          chain->as_object().at("table") == "sentinel") {
        return true;
      }
      const auto* table = object.if_contains("table");
      if (table != nullptr && table->is_object() && table->as_object().contains("name") &&
          table->as_object().at("name") == "sentinel") {
        return true;
      }
    }
  }
  return false;
}

Result<TableListing> NftTable::listing() {
  auto listed = run(text_, "list table inet sentinel", NFT_CTX_OUTPUT_STATELESS);
  if (!listed) {
    if (listed.error().message.find("No such file or directory") != std::string::npos) {
      return not_found("table inet sentinel does not exist");
    }
    return std::move(listed).error();
  }
  return listing_from_text(*listed);
}

Status NftTable::add_block(const std::string& address, std::chrono::seconds ttl) {
  if (ttl.count() < 1 || ttl > kMaxBlockTtl) {
    return invalid_argument(
        "a block lasts from 1 s to " + std::to_string(kMaxBlockTtl.count()) + " s", "ttl");
  }
  SENTINEL_ASSIGN(target, block_target(address));
  SENTINEL_ASSIGN(_, run(text_,
                         "add element inet sentinel " + target.set + " { " + target.address +
                             " timeout " + std::to_string(ttl.count()) + "s }",
                         0));
  return ok();
}

Status NftTable::remove_block(const std::string& address) {
  SENTINEL_ASSIGN(target, block_target(address));
  auto ran =
      run(text_, "delete element inet sentinel " + target.set + " { " + target.address + " }", 0);
  if (!ran) {
    if (ran.error().message.find("No such file") != std::string::npos) {
      return not_found(target.address + " is not blocked");
    }
    return std::move(ran).error();
  }
  return ok();
}

Result<std::vector<ActiveBlock>> NftTable::blocks() {
  std::vector<ActiveBlock> blocks;
  for (const char* set : {"block_v4", "block_v6"}) {
    auto listed = run(json_, std::string("list set inet sentinel ") + set, NFT_CTX_OUTPUT_JSON);
    if (!listed) {
      // No table, or one without this set: nothing is blocked there.
      if (listed.error().message.find("No such file or directory") != std::string::npos) continue;
      return std::move(listed).error();
    }
    SENTINEL_ASSIGN(items, json_items(*listed));
    for (const auto& item : items) {
      const auto* found = item.is_object() ? item.as_object().if_contains("set") : nullptr;
      if (found == nullptr || !found->is_object()) continue;
      const auto* elements = found->as_object().if_contains("elem");
      if (elements == nullptr || !elements->is_array()) continue;
      for (const auto& element : elements->as_array()) {
        if (element.is_string()) {
          blocks.push_back({std::string(element.as_string()), 0, 0});
          continue;
        }
        const auto* inner = element.is_object() ? element.as_object().if_contains("elem") : nullptr;
        if (inner == nullptr || !inner->is_object()) continue;
        const auto& fields = inner->as_object();
        const auto* val = fields.if_contains("val");
        if (val == nullptr || !val->is_string()) continue;
        blocks.push_back({std::string(val->as_string()), int_field(fields, "timeout"),
                          int_field(fields, "expires")});
      }
    }
  }
  return blocks;
}

Result<std::string> readd_blocks_text(const std::vector<ActiveBlock>& blocks) {
  std::string v4;
  std::string v6;
  for (const ActiveBlock& block : blocks) {
    SENTINEL_ASSIGN(target, block_target(block.address));
    std::string element = target.address;
    if (block.timeout_s > 0) {
      const std::int64_t left = std::max<std::int64_t>(1, block.expires_s);
      element += " timeout " + std::to_string(std::max(block.timeout_s, left)) + "s expires " +
                 std::to_string(left) + "s";
    }
    std::string& list = target.set == "block_v4" ? v4 : v6;
    list += (list.empty() ? "" : ", ") + element;
  }
  std::string text;
  if (!v4.empty()) text += "add element inet sentinel block_v4 { " + v4 + " }\n";
  if (!v6.empty()) text += "add element inet sentinel block_v6 { " + v6 + " }\n";
  return text;
}

}  // namespace sentinel::agent::firewall
