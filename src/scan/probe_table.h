#pragma once
// The probes of a raw scan that are in flight, by (host, probe) pair: the only per-probe state
// a raw scan keeps, sized once to its concurrency cap.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace sentinel::scan {

/// An open-addressing hash map from pair index to slot number, linear probing with
/// backward-shift deletion, so that it never allocates after construction and never fills with
/// tombstones. Holds at most `capacity` entries. Not thread-safe.
class ProbeTable {
 public:
  static constexpr std::uint32_t kAbsent = std::numeric_limits<std::uint32_t>::max();

  explicit ProbeTable(std::size_t capacity) {
    std::size_t buckets = 16;
    while (buckets < 2 * capacity) buckets *= 2;
    keys_.assign(buckets, kEmpty);
    values_.assign(buckets, kAbsent);
    mask_ = buckets - 1;
  }

  /// Maps `pair` to `slot`; the pair must not be present and the table not full.
  void insert(std::uint64_t pair, std::uint32_t slot) {
    std::size_t i = bucket(pair);
    while (keys_[i] != kEmpty) i = (i + 1) & mask_;
    keys_[i] = pair;
    values_[i] = slot;
  }

  /// The slot of `pair`, or kAbsent.
  std::uint32_t find(std::uint64_t pair) const {
    for (std::size_t i = bucket(pair);; i = (i + 1) & mask_) {
      if (keys_[i] == pair) return values_[i];
      if (keys_[i] == kEmpty) return kAbsent;
    }
  }

  /// Removes `pair` if present.
  void erase(std::uint64_t pair) {
    std::size_t i = bucket(pair);
    while (keys_[i] != pair) {
      if (keys_[i] == kEmpty) return;
      i = (i + 1) & mask_;
    }
    // Backward shift: move later entries of the cluster into the hole when their home bucket
    // allows, so that lookups never stop early at it.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; keys_[j] != kEmpty; j = (j + 1) & mask_) {
      const std::size_t home = bucket(keys_[j]);
      const bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        keys_[hole] = keys_[j];
        values_[hole] = values_[j];
        hole = j;
      }
    }
    keys_[hole] = kEmpty;
    values_[hole] = kAbsent;
  }

 private:
  static constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();

  std::size_t bucket(std::uint64_t pair) const {
    // Pairs are dense indices; a multiplicative hash spreads neighbours apart.
    return static_cast<std::size_t>((pair * 0x9e3779b97f4a7c15ULL) >> 32) & mask_;
  }

  std::vector<std::uint64_t> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_ = 0;
};

}  // namespace sentinel::scan
