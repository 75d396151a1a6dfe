#pragma once
// How a distributed job is cut into shards (ADR 0005, "Scanner service"): consecutive slices of
// its addresses, each written as address ranges in the target syntax. Pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/scan/target_set.h"

namespace sentinel::scanner {

/// Addresses per shard unless fewer give every agent one.
inline constexpr std::uint64_t kDefaultShardAddresses = 256;

/// One slice of a job's addresses. A plain value.
struct ShardSlice {
  std::int64_t index = 0;
  std::string targets;  // "127.69.0.1-127.69.0.200,127.69.1.0/24"
  std::uint64_t address_count = 0;
  /// For jobs on the agents in the target networks: the network (CIDR) the slice lies in, which
  /// only agents in it may scan; "" otherwise.
  std::string network;
};

/// A job's addresses by the network they lie in. A plain value.
struct NetworkSplit {
  struct Part {
    scan::AddressRange network;
    scan::TargetSet targets;
  };
  std::vector<Part> parts;                  // by network, ascending
  std::vector<scan::AddressRange> outside;  // addresses in no network, ascending
};

/// Puts each address of `targets` in the narrowest of `networks` that holds it (networks may
/// nest or repeat).
NetworkSplit split_by_network(const scan::TargetSet& targets,
                              std::vector<scan::AddressRange> networks);

/// kInvalidArgument (field "agents.networks") naming the addresses of `split` in no network.
Status require_covered(const NetworkSplit& split);

/// Addresses per shard for `addresses` addresses and `agents` agents: `preferred`, or fewer when
/// that gives each agent at least one shard (never below one address).
std::uint64_t shard_size_for(std::uint64_t addresses, std::size_t agents,
                             std::uint64_t preferred = kDefaultShardAddresses);

/// `targets` in ascending order, cut into slices of `size` addresses (the last may be smaller),
/// indexed from 0.
std::vector<ShardSlice> cut_into_shards(const scan::TargetSet& targets, std::uint64_t size);

/// Each part of `split` cut as by cut_into_shards(), its slices naming their network, indexed
/// from 0 across all parts. A slice never spans two networks.
std::vector<ShardSlice> cut_along_networks(const NetworkSplit& split, std::uint64_t size);

}  // namespace sentinel::scanner
