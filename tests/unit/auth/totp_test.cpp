#include "sentinel/auth/totp.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sentinel::auth::totp {
namespace {

// RFC 6238 appendix B uses this ASCII secret for SHA-1.
constexpr std::string_view kRfcSecret = "12345678901234567890";

TEST(Base32, EncodesRfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"},
  };
  for (const auto& [plain, encoded] : vectors) EXPECT_EQ(base32_encode(plain), encoded) << plain;
}

TEST(Base32, DecodesRfc4648VectorsWithPaddingAndCase) {
  const std::vector<std::pair<std::string, std::string>> vectors = {
      {"MY======", "f"},          {"MZXQ====", "fo"},    {"MZXW6===", "foo"},
      {"MZXW6YQ=", "foob"},       {"MZXW6YTB", "fooba"}, {"MZXW6YTBOI======", "foobar"},
      {"mzxw 6ytb oi", "foobar"},
  };
  for (const auto& [encoded, plain] : vectors) {
    const auto decoded = base32_decode(encoded);
    ASSERT_TRUE(decoded) << encoded;
    EXPECT_EQ(*decoded, plain) << encoded;
  }
}

TEST(Base32, RejectsInvalidInput) {
  for (std::string_view bad : {"MZ1W", "MZXW6YTB!", "M", "MZX", "MZXW6Y", "MY==MY"}) {
    const auto decoded = base32_decode(bad);
    ASSERT_FALSE(decoded) << bad;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Base32, RoundTripsGeneratedSecrets) {
  const std::string secret = generate_secret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_NE(secret, generate_secret());
  const auto decoded = base32_decode(base32_encode(secret));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, secret);
}

TEST(Totp, MatchesRfc6238Sha1Vectors) {
  const std::vector<std::pair<std::int64_t, std::string>> vectors = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, code] : vectors) EXPECT_EQ(code_at(kRfcSecret, time, 8), code) << time;
}

TEST(Totp, SixDigitCodeIsTheLowDigitsOfTheEightDigitOne) {
  EXPECT_EQ(code_at(kRfcSecret, 59), "287082");
  EXPECT_EQ(code_at(kRfcSecret, 1111111109), "081804");
}

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {};
  std::string out;
  char buffer[128];
  while (fgets(buffer, sizeof buffer, pipe.get()) != nullptr) out += buffer;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

TEST(Totp, AgreesWithOathtool) {
  const std::string secret = generate_secret();
  const std::string encoded = base32_encode(secret);
  const std::string expected =
      run("oathtool --totp -b --now '2026-01-01 00:00:00 UTC' " + encoded + " 2>&1");
  ASSERT_EQ(expected.size(), 6u) << "oathtool (a declared test dependency) said: " << expected;
  EXPECT_EQ(code_at(secret, 1767225600), expected);
}

TEST(Totp, AcceptsCodesWithinOneStepEitherSide) {
  const std::int64_t now = 1767225615;  // inside step 58907520
  const std::int64_t step = now / kStepSeconds;
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now), now), step);
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now - 30), now), step - 1);
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now + 30), now), step + 1);
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now - 60), now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now + 60), now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now - 60), now, 2), step - 2);
}

TEST(Totp, RejectsWrongCodes) {
  const std::int64_t now = 1767225615;
  const std::string good = code_at(kRfcSecret, now);
  std::string wrong = good;
  wrong[5] = wrong[5] == '9' ? '0' : static_cast<char>(wrong[5] + 1);
  EXPECT_EQ(matching_step(kRfcSecret, wrong, now, 0), std::nullopt);
  EXPECT_EQ(matching_step("another secret value", good, now), std::nullopt);
}

TEST(Totp, RejectsMalformedCodes) {
  const std::int64_t now = 1767225615;
  const std::string good = code_at(kRfcSecret, now);
  EXPECT_EQ(matching_step(kRfcSecret, good.substr(0, 5), now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, good + "0", now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, " " + good.substr(1), now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, good.substr(0, 5) + "a", now), std::nullopt);
  EXPECT_EQ(matching_step(kRfcSecret, "", now), std::nullopt);
  // The 8-digit code of the same step contains the 6-digit one but is not accepted.
  EXPECT_EQ(matching_step(kRfcSecret, code_at(kRfcSecret, now, 8), now), std::nullopt);
}

TEST(Totp, OtpauthUriPercentEncodesIssuerAndAccount) {
  const std::string uri = otpauth_uri("Sentinel Secure", "alice@example.com:x", "foobar");
  EXPECT_EQ(uri,
            "otpauth://totp/Sentinel%20Secure:alice%40example.com%3Ax?secret=MZXW6YTBOI"
            "&issuer=Sentinel%20Secure&algorithm=SHA1&digits=6&period=30");
}

}  // namespace
}  // namespace sentinel::auth::totp
