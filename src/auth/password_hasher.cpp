#include "sentinel/auth/password_hasher.h"

#include <sodium.h>

namespace sentinel::auth {

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimum() {
  return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
}

Result<std::string> PasswordHasher::hash(const Secret& password) const {
  if (sodium_init() < 0) return internal_error("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  const auto& text = password.reveal();
  if (crypto_pwhash_str_alg(out, text.data(), text.size(), cost_.opslimit, cost_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return internal_error("password hashing ran out of memory");
  }
  return std::string(out);
}

bool PasswordHasher::verify(const Secret& password, std::string_view encoded) const {
  if (sodium_init() < 0) return false;
  const std::string stored(encoded);  // crypto_pwhash_str_verify needs a NUL-terminated string
  const auto& text = password.reveal();
  return crypto_pwhash_str_verify(stored.c_str(), text.data(), text.size()) == 0;
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
  const std::string stored(encoded);
  return crypto_pwhash_str_needs_rehash(stored.c_str(), cost_.opslimit, cost_.memlimit) != 0;
}

}  // namespace sentinel::auth
