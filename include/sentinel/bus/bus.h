#pragma once
// Publish/subscribe between services. In-process by default; NATS JetStream later.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::bus {

/// A message on a topic. The payload is a JSON document as text.
struct Message {
  std::string topic;
  std::string payload;
};

/// Keeps a subscription alive; destroying it unsubscribes (and waits for a running delivery).
class Subscription {
 public:
  virtual ~Subscription() = default;
};

/// Handlers run on the bus's delivery thread and must not block: hand work off to your own queue.
using Handler = std::function<void(const Message&)>;

/// Publish/subscribe. Thread-safe.
class Bus {
 public:
  virtual ~Bus() = default;
  /// Queues `payload` for every subscriber of `topic`. kUnavailable when the bus queue is full
  /// or the bus is stopped.
  virtual Status publish(std::string_view topic, std::string payload) = 0;
  /// Subscribes to one topic ("audit") or to every topic with "*".
  virtual std::unique_ptr<Subscription> subscribe(std::string topic, Handler handler) = 0;
  /// Delivers what is queued, then refuses new messages.
  virtual void stop() = 0;
};

/// The in-process bus: one delivery thread, a bounded queue of `capacity` messages.
std::unique_ptr<Bus> make_inproc_bus(std::size_t capacity = 65536);

}  // namespace sentinel::bus
