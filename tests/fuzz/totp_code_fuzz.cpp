// Fuzzes the TOTP inputs a user controls: the base32 secret text and the submitted code.
// Properties: decoding never crashes, decoded bytes re-encode and decode to themselves, and a code
// is only ever accepted if it is six digits equal to the code of the step reported.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sentinel/auth/totp.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  namespace totp = sentinel::auth::totp;

  if (const auto decoded = totp::base32_decode(input)) {
    const auto again = totp::base32_decode(totp::base32_encode(*decoded));
    if (!again || *again != *decoded) std::abort();
  }

  // The first six bytes are the submitted code, the rest the secret.
  const std::string_view code = input.substr(0, 6);
  const std::string_view secret = input.substr(code.size());
  constexpr std::int64_t kNow = 1767225600;
  if (const auto step = totp::matching_step(secret, code, kNow)) {
    if (totp::code_at(secret, *step * totp::kStepSeconds) != code) std::abort();
  }
  return 0;
}
