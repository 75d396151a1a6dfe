#pragma once
// `table inet sentinel` through libnftables, in-process: applies are one netlink transaction,
// listings are text (the table, for the hash and set sizes) or JSON (block elements and their
// timeouts) from separate contexts, because JSON output also switches nft's input to JSON.

#include <memory>

#include "agent/firewall/firewall_table.h"

struct nft_ctx;

namespace sentinel::agent::firewall {

/// The real table, in the network namespace of the calling process (fixed at create()). Owns
/// two libnftables contexts. Not thread-safe; movable.
class NftTable final : public FirewallTable {
 public:
  /// kUnavailable when libnftables cannot create its contexts.
  static Result<std::unique_ptr<NftTable>> create();
  ~NftTable() override;
  NftTable(const NftTable&) = delete;
  NftTable& operator=(const NftTable&) = delete;

  Status apply(const std::string& text) override;
  Result<bool> exists() override;
  Result<TableListing> listing() override;
  Status add_block(const std::string& address, std::chrono::seconds ttl) override;
  Status remove_block(const std::string& address) override;
  Result<std::vector<ActiveBlock>> blocks() override;

 private:
  NftTable(nft_ctx* text, nft_ctx* json) : text_(text), json_(json) {}
  // Runs one command buffer on `ctx` with `flags` as output flags; the output, or the error
  // buffer's text as an error.
  Result<std::string> run(nft_ctx* ctx, const std::string& commands, unsigned flags);

  nft_ctx* text_;
  nft_ctx* json_;
};

/// The longest a block may last: the escalation cap of ADR 0006 (7 days) with room for manual
/// blocks.
inline constexpr std::chrono::seconds kMaxBlockTtl{30 * 24 * 3600};

/// The `add element` command that puts `blocks` back with their remaining time (each keeps its
/// original timeout, `expires` what was left, at least 1 s); empty text when there are none.
/// Addresses are checked; an invalid one fails with invalid_argument.
Result<std::string> readd_blocks_text(const std::vector<ActiveBlock>& blocks);

}  // namespace sentinel::agent::firewall
