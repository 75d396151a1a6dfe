#include "recovery_codes.h"

#include <algorithm>
#include <cctype>

#include "sentinel/common/crypto.h"

namespace sentinel::auth {
namespace {

// 32 symbols: no 0/o, 1/l.
constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
static_assert(kAlphabet.size() == 32);

}  // namespace

std::vector<Secret> generate_recovery_codes() {
  std::vector<Secret> codes;
  for (int n = 0; n < kRecoveryCodeCount; ++n) {
    const std::string random = crypto::random_bytes(12);
    std::string code;
    for (std::size_t i = 0; i < random.size(); ++i) {
      if (i > 0 && i % 4 == 0) code += '-';
      code += kAlphabet[static_cast<unsigned char>(random[i]) % kAlphabet.size()];
    }
    codes.emplace_back(std::move(code));
  }
  return codes;
}

std::string recovery_code_hash(std::string_view code) {
  std::string normalized;
  for (unsigned char c : code) {
    if (!std::isspace(c)) normalized += static_cast<char>(std::tolower(c));
  }
  return crypto::sha256_hex(normalized);
}

bool looks_like_recovery_code(std::string_view code) {
  return code.find('-') != std::string_view::npos;
}

}  // namespace sentinel::auth
