// The in-process bus: a bounded queue drained by one delivery thread.

#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>

#include "sentinel/bus/bus.h"

namespace sentinel::bus {
namespace {

struct Subscriber {
  std::string topic;
  Handler handler;
};

class InprocBus;

class InprocSubscription final : public Subscription {
 public:
  InprocSubscription(InprocBus& bus, std::list<Subscriber>::iterator it) : bus_(bus), it_(it) {}
  ~InprocSubscription() override;

 private:
  InprocBus& bus_;
  std::list<Subscriber>::iterator it_;
};

class InprocBus final : public Bus {
 public:
  explicit InprocBus(std::size_t capacity) : capacity_(capacity), thread_([this] { deliver(); }) {}
  ~InprocBus() override { stop(); }

  Status publish(std::string_view topic, std::string payload) override {
    {
      std::lock_guard lock(queue_mutex_);
      if (stopping_) return unavailable("bus is stopped");
      if (queue_.size() >= capacity_) return unavailable("bus queue is full");
      queue_.push_back(Message{std::string(topic), std::move(payload)});
    }
    queue_changed_.notify_one();
    return ok();
  }

  std::unique_ptr<Subscription> subscribe(std::string topic, Handler handler) override {
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.push_back(Subscriber{std::move(topic), std::move(handler)});
    return std::make_unique<InprocSubscription>(*this, std::prev(subscribers_.end()));
  }

  void stop() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    queue_changed_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  void unsubscribe(std::list<Subscriber>::iterator it) {
    // Holding the subscribers mutex waits out a delivery in progress.
    std::lock_guard lock(subscribers_mutex_);
    subscribers_.erase(it);
  }

 private:
  void deliver() {
    for (;;) {
      Message message;
      {
        std::unique_lock lock(queue_mutex_);
        queue_changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping and drained
        message = std::move(queue_.front());
        queue_.pop_front();
      }
      std::lock_guard lock(subscribers_mutex_);
      for (const Subscriber& subscriber : subscribers_) {
        if (subscriber.topic == "*" || subscriber.topic == message.topic) {
          subscriber.handler(message);
        }
      }
    }
  }

  const std::size_t capacity_;
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::deque<Message> queue_;
  bool stopping_ = false;
  std::mutex subscribers_mutex_;
  std::list<Subscriber> subscribers_;
  std::thread thread_;
};

InprocSubscription::~InprocSubscription() { bus_.unsubscribe(it_); }

}  // namespace

std::unique_ptr<Bus> make_inproc_bus(std::size_t capacity) {
  return std::make_unique<InprocBus>(capacity);
}

}  // namespace sentinel::bus
