#pragma once
// A keyed pseudo-random permutation of [0, n): the order in which a scan visits its index space,
// so that probes spread over all hosts and subnets instead of sweeping them one after the other
// (masscan's approach), without storing the order.

#include <array>
#include <cstdint>

namespace sentinel::scan {

/// A bijection of [0, n) chosen by `seed`: a balanced Feistel network on the smallest
/// even-width power-of-two domain that holds n, with cycle walking back into [0, n). The same
/// (n, seed) always gives the same order. Not cryptographic: it spreads load, it hides nothing.
/// Immutable after construction; thread-safe.
class KeyedPermutation {
 public:
  KeyedPermutation(std::uint64_t n, std::uint64_t seed);

  std::uint64_t size() const { return n_; }
  /// The index visited at position `position` (< size()).
  std::uint64_t at(std::uint64_t position) const;

 private:
  static constexpr int kRounds = 6;

  std::uint64_t encrypt(std::uint64_t value) const;

  std::uint64_t n_;
  int half_bits_ = 1;
  std::uint64_t half_mask_ = 1;
  std::array<std::uint64_t, kRounds> round_keys_{};
};

}  // namespace sentinel::scan
