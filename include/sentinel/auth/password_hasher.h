#pragma once
// argon2id password hashing (libsodium crypto_pwhash_str) with an injectable cost.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"
#include "sentinel/common/secret.h"

namespace sentinel::auth {

/// argon2id cost parameters.
struct PasswordCost {
  std::uint64_t opslimit = 0;
  std::size_t memlimit = 0;
  /// libsodium's INTERACTIVE limits: the production cost (about 67 ms here).
  static PasswordCost interactive();
  /// libsodium's MIN limits: for tests only.
  static PasswordCost minimum();
};

/// Hashes and verifies passwords. Stateless apart from the cost; thread-safe.
class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordCost cost) : cost_(cost) {}
  /// The encoded hash ("$argon2id$v=19$..."); kInternal when out of memory.
  Result<std::string> hash(const Secret& password) const;
  /// True when `password` matches `encoded`; false for a mismatch or a malformed hash.
  bool verify(const Secret& password, std::string_view encoded) const;
  /// True when `encoded` was made with a different cost and should be replaced.
  bool needs_rehash(std::string_view encoded) const;

 private:
  PasswordCost cost_;
};

}  // namespace sentinel::auth
