#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "sentinel/bus/bus.h"

namespace sentinel::bus {
namespace {

using namespace std::chrono_literals;

/// Collects delivered messages and lets a test wait for a count.
class Inbox {
 public:
  Handler handler() {
    return [this](const Message& message) {
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
      changed_.notify_all();
    };
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = 2s) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
  }
  std::vector<Message> messages() {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Message> messages_;
};

TEST(InprocBusTest, DeliversToSubscribersOfTheTopicAndToWildcards) {
  auto bus = make_inproc_bus();
  Inbox audit, alerts, everything;
  auto s1 = bus->subscribe("audit", audit.handler());
  auto s2 = bus->subscribe("alert", alerts.handler());
  auto s3 = bus->subscribe("*", everything.handler());
  ASSERT_TRUE(bus->publish("audit", R"({"type":"audit","n":1})"));
  ASSERT_TRUE(bus->publish("audit", R"({"type":"audit","n":2})"));
  ASSERT_TRUE(everything.wait_for(2));
  ASSERT_TRUE(audit.wait_for(2));
  EXPECT_TRUE(alerts.messages().empty());
  EXPECT_EQ(audit.messages()[0].payload, R"({"type":"audit","n":1})");  // in order
  EXPECT_EQ(audit.messages()[1].payload, R"({"type":"audit","n":2})");
}

TEST(InprocBusTest, UnsubscribedHandlersReceiveNothingMore) {
  auto bus = make_inproc_bus();
  Inbox inbox;
  auto subscription = bus->subscribe("audit", inbox.handler());
  ASSERT_TRUE(bus->publish("audit", "{}"));
  ASSERT_TRUE(inbox.wait_for(1));
  subscription.reset();
  ASSERT_TRUE(bus->publish("audit", "{}"));
  bus->stop();  // delivers what is queued
  EXPECT_EQ(inbox.messages().size(), 1u);
}

TEST(InprocBusTest, AFullQueueRefusesInsteadOfGrowing) {
  auto bus = make_inproc_bus(4);
  std::mutex gate;
  std::unique_lock held(gate);  // the handler blocks until the test lets it go
  std::atomic<int> delivered{0};
  auto subscription = bus->subscribe("t", [&](const Message&) {
    std::lock_guard wait(gate);
    ++delivered;
  });
  int accepted = 0;
  Status refused;
  for (int i = 0; i < 20 && refused.has_value(); ++i) {
    Status status = bus->publish("t", "{}");
    if (status)
      ++accepted;
    else
      refused = status;
  }
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
  EXPECT_LE(accepted, 5);  // capacity 4, plus the one being delivered
  held.unlock();
  bus->stop();
  EXPECT_EQ(delivered.load(), accepted);  // nothing accepted was lost
}

TEST(InprocBusTest, StopDrainsThenRefuses) {
  auto bus = make_inproc_bus();
  Inbox inbox;
  auto subscription = bus->subscribe("t", inbox.handler());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(bus->publish("t", std::to_string(i)));
  bus->stop();
  EXPECT_EQ(inbox.messages().size(), 100u);
  Status after = bus->publish("t", "late");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace sentinel::bus
