// The probe cookie is SipHash-2-4 over a fixed byte layout: checked against values computed by
// an independent SipHash implementation (itself checked against the reference vectors).

#include "src/scan/probe_cookie.h"

#include <gtest/gtest.h>

#include <set>

namespace sentinel::scan {
namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

ProbeCookies::Key counting_key() {
  ProbeCookies::Key key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

TEST(ProbeCookies, MatchesSipHash24OfAddressesAndPorts) {
  const ProbeCookies cookies(counting_key());
  // Message 01 02 ... 0c: source 1.2.3.4, destination 5.6.7.8, ports 0x090a and 0x0b0c.
  EXPECT_EQ(cookies.cookie(ip("1.2.3.4"), ip("5.6.7.8"), 0x090a, 0x0b0c), 0xf7a4661fu);
  EXPECT_EQ(cookies.cookie(ip("2001:db8::1"), ip("2001:db8::2"), 40000, 443), 0x88878a2bu);
}

TEST(ProbeCookies, EveryFieldAndTheKeyChangeTheCookie) {
  const ProbeCookies cookies(counting_key());
  ProbeCookies::Key other_key = counting_key();
  other_key[15] ^= 1;
  const ProbeCookies other(other_key);
  const std::uint32_t base = cookies.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 80);
  std::set<std::uint32_t> seen{base};
  seen.insert(cookies.cookie(ip("10.0.0.2"), ip("10.0.0.1"), 40000, 80));
  seen.insert(cookies.cookie(ip("10.0.0.1"), ip("10.0.0.3"), 40000, 80));
  seen.insert(cookies.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 40001, 80));
  seen.insert(cookies.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 81));
  seen.insert(cookies.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 80, 40000));
  seen.insert(other.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 80));
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(cookies.cookie(ip("10.0.0.1"), ip("10.0.0.2"), 40000, 80), base) << "deterministic";
}

TEST(ProbeCookies, RandomKeysDiffer) {
  const auto a = ProbeCookies::random().cookie(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2);
  const auto b = ProbeCookies::random().cookie(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2);
  const auto c = ProbeCookies::random().cookie(ip("10.0.0.1"), ip("10.0.0.2"), 1, 2);
  EXPECT_FALSE(a == b && b == c) << "three random keys gave one cookie";
}

}  // namespace
}  // namespace sentinel::scan
