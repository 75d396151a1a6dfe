#pragma once
// A FirewallTable in memory for the pure tests: its "ruleset" is the last applied policy text
// (element lines stripped), its blocks follow the `add element` / `delete element` lines of
// each buffer with nft's rules (adding a present element changes nothing, deleting an absent
// one fails the whole buffer), and `fail_next` makes the next apply fail like nft would.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "agent/firewall/firewall_table.h"
#include "sentinel/common/crypto.h"

namespace sentinel::agent::firewall::test {

class FakeTable final : public FirewallTable {
 public:
  Status apply(const std::string& text) override {
    applied.push_back(text);
    if (on_apply) on_apply(text);
    if (fail_next) {
      fail_next = false;
      return Error{ErrorCode::kUnavailable, "Error: syntax error", "nft_failed", "nft_text"};
    }
    std::optional<std::string> table = ruleset;
    std::vector<ActiveBlock> blocks = active_blocks;
    bool replaced = false;
    std::string policy;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      const bool add = line.rfind("add element ", 0) == 0;
      if (add || line.rfind("delete element ", 0) == 0) {
        if (!table && !replaced) return no_such_file();
        if (Status changed = change_elements(line, add, blocks); !changed) return changed;
        continue;
      }
      if (line == "delete table inet sentinel") {
        replaced = true;
        blocks.clear();
      }
      policy += line + "\n";
    }
    if (replaced && text.find("table inet sentinel {\n") == std::string::npos) {
      ruleset.reset();
    } else if (replaced) {
      ruleset = policy;
    }
    active_blocks = std::move(blocks);
    return ok();
  }
  Result<bool> exists() override { return ruleset.has_value(); }
  Result<TableListing> listing() override {
    if (!ruleset) return not_found("no table");
    return TableListing{crypto::sha256_hex(*ruleset), {{"addr_x_v4", elements}}};
  }
  Status add_block(const std::string&, std::chrono::seconds) override { return ok(); }
  Status remove_block(const std::string&) override { return ok(); }
  Result<std::vector<ActiveBlock>> blocks() override { return active_blocks; }

  /// The block of `address`, if any.
  std::optional<ActiveBlock> block(const std::string& address) const {
    for (const ActiveBlock& b : active_blocks) {
      if (b.address == address) return b;
    }
    return std::nullopt;
  }

  std::optional<std::string> ruleset;
  std::size_t elements = 3;
  std::vector<ActiveBlock> active_blocks;
  std::vector<std::string> applied;
  std::function<void(const std::string&)> on_apply;
  bool fail_next = false;

 private:
  static Error no_such_file() {
    return Error{ErrorCode::kUnavailable,
                 "Error: Could not process rule: No such file or directory", "nft_failed",
                 "nft_text"};
  }

  // "VERB element inet sentinel SET { A [timeout Ns] [expires Ns], ... }" applied to `blocks`.
  static Status change_elements(const std::string& line, bool add,
                                std::vector<ActiveBlock>& blocks) {
    const auto open = line.find('{');
    const auto close = line.rfind('}');
    if (open == std::string::npos || close == std::string::npos) {
      return Error{ErrorCode::kUnavailable, "Error: syntax error", "nft_failed", "nft_text"};
    }
    std::istringstream items(line.substr(open + 1, close - open - 1));
    for (std::string item; std::getline(items, item, ',');) {
      std::istringstream words(item);
      ActiveBlock block;
      words >> block.address;
      for (std::string word; words >> word;) {
        std::string value;
        words >> value;
        const std::int64_t seconds = std::stoll(value.substr(0, value.size() - 1));
        if (word == "timeout") block.timeout_s = seconds;
        if (word == "expires") block.expires_s = seconds;
      }
      if (block.timeout_s > 0 && block.expires_s == 0) block.expires_s = block.timeout_s;
      auto found = std::find_if(blocks.begin(), blocks.end(),
                                [&](const ActiveBlock& b) { return b.address == block.address; });
      if (add) {
        if (found == blocks.end()) blocks.push_back(block);
      } else {
        if (found == blocks.end()) return no_such_file();
        blocks.erase(found);
      }
    }
    return ok();
  }
};

}  // namespace sentinel::agent::firewall::test
