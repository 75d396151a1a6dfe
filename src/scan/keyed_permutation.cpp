#include "sentinel/scan/keyed_permutation.h"

namespace sentinel::scan {
namespace {

// SplitMix64's finaliser: a fast bijective mixer with good avalanche.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

KeyedPermutation::KeyedPermutation(std::uint64_t n, std::uint64_t seed) : n_(n) {
  // The domain is 2^(2·half_bits) >= n, so cycle walking needs fewer than 4 steps on average.
  while (half_bits_ < 32 && (std::uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
  half_mask_ = half_bits_ == 32 ? 0xffffffffULL : (std::uint64_t{1} << half_bits_) - 1;
  std::uint64_t state = seed;
  for (auto& key : round_keys_) {
    state = mix(state);
    key = state;
  }
}

std::uint64_t KeyedPermutation::encrypt(std::uint64_t value) const {
  std::uint64_t left = (value >> half_bits_) & half_mask_;
  std::uint64_t right = value & half_mask_;
  for (const std::uint64_t key : round_keys_) {
    const std::uint64_t next = left ^ (mix(right ^ key) & half_mask_);
    left = right;
    right = next;
  }
  return (left << half_bits_) | right;
}

std::uint64_t KeyedPermutation::at(std::uint64_t position) const {
  // Cycle walking: the cycle through `position` contains `position` itself, so it reaches a
  // value below n. Every value of [0, n) is hit by exactly one position.
  std::uint64_t value = encrypt(position);
  while (value >= n_) value = encrypt(value);
  return value;
}

}  // namespace sentinel::scan
