#include "agent/watch/sources.h"

#include <unistd.h>

#include <chrono>

#include "agent/watch/fim_source.h"
#include "agent/watch/log_sources.h"
#include "agent/watch/process_sources.h"

namespace sentinel::agent::watch {
namespace {

// Says once, as an event, that a collector could not start.
class FailedSource final : public EventSource {
 public:
  FailedSource(std::string collector, std::string reason)
      : collector_(std::move(collector)), reason_(std::move(reason)) {}

  std::string name() const override { return "failed:" + collector_; }
  void poll(std::vector<CollectedEvent>& out) override {
    if (reported_) return;
    reported_ = true;
    out.push_back(CollectedEvent{"collector.error",
                                 std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count(),
                                 {{"collector.name", collector_}, {"error.message", reason_}}});
  }

 private:
  std::string collector_;
  std::string reason_;
  bool reported_ = false;
};

const boost::json::value& entry(const boost::json::object& checkpoint, const std::string& name) {
  static const boost::json::value kNone;
  const boost::json::value* value = checkpoint.if_contains(name);
  return value != nullptr ? *value : kNone;
}

template <typename T>
void add(std::vector<std::unique_ptr<EventSource>>& sources, const std::string& collector,
         Result<std::unique_ptr<T>> made) {
  if (made) {
    sources.push_back(std::move(*made));
  } else {
    sources.push_back(std::make_unique<FailedSource>(collector, made.error().message));
  }
}

}  // namespace

std::vector<std::unique_ptr<EventSource>> make_sources(const WatchSettings& settings,
                                                       const boost::json::object& checkpoint,
                                                       std::shared_ptr<spdlog::logger> logger,
                                                       int connector_socket) {
  std::vector<std::unique_ptr<EventSource>> sources;
  for (const std::string& file : settings.log_files) {
    sources.push_back(
        std::make_unique<LogFileSource>(file, entry(checkpoint, LogFileSource::key(file))));
  }
  if (settings.journal) add(sources, "journal", JournalSource::open(entry(checkpoint, "journal")));
  if (!settings.fim_paths.empty()) {
    fim::MonitorOptions options;
    options.config.paths = settings.fim_paths;
    options.config.excludes = settings.fim_exclude;
    options.config.full_check_interval_s = settings.fim_interval_s;
    options.state_dir = settings.state_dir;
    options.logger = std::move(logger);
    options.resume = FimSource::resume_from(entry(checkpoint, "fim"));
    add(sources, "fim", FimSource::start(std::move(options)));
  }
  if (settings.process_events) {
    Result<process::ProcessStartCollector> starts =
        process::ProcessStartCollector::create({}, connector_socket);
    if (starts) {
      sources.push_back(std::make_unique<ProcessStartSource>(std::move(*starts)));
    } else {
      sources.push_back(std::make_unique<FailedSource>("process", starts.error().message));
    }
    Result<process::ConnectionTracker> connections = process::ConnectionTracker::create();
    if (connections) {
      sources.push_back(std::make_unique<ConnectionSource>(std::move(*connections)));
    } else {
      sources.push_back(std::make_unique<FailedSource>("connections", connections.error().message));
    }
  } else if (connector_socket >= 0) {
    ::close(connector_socket);
  }
  return sources;
}

}  // namespace sentinel::agent::watch
