// A short curated list of common passwords that pass the length rule: keyboard walks, repeats,
// and phrases found at the top of public breach corpora. Compared case-insensitively.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "sentinel/auth/password_policy.h"

namespace sentinel::auth {
namespace {

constexpr std::array<std::string_view, 60> kCommonPasswords = {
    "123456789012",     "1234567890123",    "12345678901234", "123456789123",
    "1234567890qwerty", "123123123123",     "111111111111",   "000000000000",
    "121212121212",     "987654321098",     "098765432109",   "147258369147",
    "passwordpassword", "password1234",     "password12345",  "password123456",
    "password123!",     "passw0rd1234",     "p@ssw0rd1234",   "p@ssword1234",
    "qwertyuiopasdf",   "qwertyuiop123",    "qwerty123456",   "qwertyqwerty",
    "1qaz2wsx3edc",     "1q2w3e4r5t6y",     "zaq12wsxcde3",   "asdfghjkl123",
    "asdfghjklzxcvbnm", "qazwsxedcrfv",     "zxcvbnmasdfg",   "abcdefghijkl",
    "abcdefg12345",     "abc123abc123",     "iloveyou1234",   "iloveyouforever",
    "letmein12345",     "welcome12345",     "welcome123456",  "administrator",
    "administrator1",   "admin1234567",     "adminadmin123",  "changeme1234",
    "changemenow123",   "trustno1trustno1", "football1234",   "baseball1234",
    "superman1234",     "princess1234",     "sunshine1234",   "monkey123456",
    "dragon123456",     "starwars1234",     "whatever1234",   "correcthorsebatterystaple",
    "masterpassword",   "secretpassword",   "mypassword123",  "sentinelsecure",
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool is_common_password(std::string_view password) {
  const std::string folded = lower(password);
  return std::find(kCommonPasswords.begin(), kCommonPasswords.end(), folded) !=
         kCommonPasswords.end();
}

}  // namespace sentinel::auth
