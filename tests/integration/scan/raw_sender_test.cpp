// RawSender (src/scan/raw_sender.h): a batch split between two sending threads goes out whole,
// and every packet the kernel refuses is reported by its tag, from either half. Runs inside a
// network namespace of the test's own holding only loopback, so that nothing can leave it:
// 127.0.0.1 takes the probes, 10.99.0.1 has no route. Needs root (CAP_NET_RAW, CAP_SYS_ADMIN).

#include "src/scan/raw_sender.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/scan/veth_namespace.h"

namespace sentinel::scan {
namespace {

using namespace sentinel::scan::testing;

int usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
}

class RawSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for raw sockets and a namespace";
    ASSERT_TRUE(ip_command({"netns", "add", namespace_}));
    ASSERT_TRUE(ip_command({"-n", namespace_, "link", "set", "lo", "up"}));
  }

  void TearDown() override {
    if (geteuid() == 0) {
      EXPECT_TRUE(ip_command({"netns", "del", namespace_}));
    }
  }

  // A sender whose sockets belong to the namespace.
  std::optional<RawSender> open_sender(bool split_batches) {
    const InNamespace inside(namespace_);
    EXPECT_TRUE(inside.entered());
    if (!inside.entered()) return std::nullopt;
    auto sender = RawSender::open(true, false, split_batches);
    EXPECT_TRUE(sender) << (sender ? "" : sender.error().message);
    if (!sender) return std::nullopt;
    return std::move(*sender);
  }

  const std::string namespace_ = "sxrs" + std::to_string(getpid());
};

struct Refused {
  std::uint32_t tag = 0;
  int error = 0;
  friend bool operator==(const Refused&, const Refused&) = default;
  friend void PrintTo(const Refused& refused, std::ostream* out) {
    *out << "tag " << refused.tag << " errno " << refused.error;
  }
};

TEST_F(RawSenderTest, AFullBatchGoesOutWholeAndEachRefusedPacketIsReportedByItsTag) {
  const IpAddress loopback = *IpAddress::parse("127.0.0.1");
  const IpAddress unroutable = *IpAddress::parse("10.99.0.1");
  for (const bool split : {true, false}) {
    SCOPED_TRACE(split ? "split" : "one thread");
    std::optional<RawSender> sender = open_sender(split);
    ASSERT_TRUE(sender);
    EXPECT_EQ(sender->splits_batches(), split && usable_cores() > 1);
    // Two batches in a row, so that the second shows nothing of the first's refusals.
    for (int round = 0; round < 2; ++round) {
      std::vector<Refused> expected;
      for (std::uint32_t tag = 0; tag < kSendBatch; ++tag) {
        // Refusals in both halves: the partner's (first) and this thread's.
        const bool refused = tag % 37 == static_cast<std::uint32_t>(5 + round);
        if (refused) expected.push_back({tag, ENETUNREACH});
        sender->add(ProbePacket{.source = loopback,
                                .destination = refused ? unroutable : loopback,
                                .source_port = 40000,
                                .destination_port = static_cast<std::uint16_t>(1 + tag),
                                .cookie = tag},
                    tag);
      }
      ASSERT_TRUE(sender->full(AddressFamily::kIpv4));
      std::vector<Refused> seen;
      const std::size_t sent = sender->flush([&](std::uint32_t tag, int error) {
        seen.push_back({tag, error});
      });
      EXPECT_EQ(seen, expected);
      EXPECT_EQ(sent, kSendBatch - expected.size());
      EXPECT_EQ(sender->pending(), 0u);
    }
  }
}

}  // namespace
}  // namespace sentinel::scan
