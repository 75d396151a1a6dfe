#include "agent/watch/watcher.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <string_view>

#include "agent/watch/watch_protocol.h"

namespace sentinel::agent::watch {
namespace {

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

boost::json::object checkpoint_of(const std::vector<std::unique_ptr<EventSource>>& sources) {
  boost::json::object out;
  for (const auto& source : sources) {
    boost::json::value position = source->checkpoint();
    if (!position.is_null()) out[source->name()] = std::move(position);
  }
  return out;
}

// Sends `events` in records of at most kMaxEventsPerFrame, the checkpoint with the last one.
bool send(int fd, std::vector<CollectedEvent>& events,
          std::optional<boost::json::object> checkpoint) {
  std::size_t start = 0;
  do {
    WatchBatch batch;
    const std::size_t end = std::min(events.size(), start + kMaxEventsPerFrame);
    batch.events.assign(
        std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(start)),
        std::make_move_iterator(events.begin() + static_cast<std::ptrdiff_t>(end)));
    if (end == events.size()) batch.checkpoint = std::move(checkpoint);
    if (!write_all(fd, encode_frame(batch))) return false;
    start = end;
  } while (start < events.size());
  events.clear();
  return true;
}

// Sends the lines queued in `log`, each as a record of its own.
bool send_log(int fd, WatchLog* log) {
  if (log == nullptr) return true;
  for (LogLine& line : log->take()) {
    WatchBatch batch;
    batch.log = std::move(line);
    if (!write_all(fd, encode_frame(batch))) return false;
  }
  return true;
}

}  // namespace

int run_watcher(std::vector<std::unique_ptr<EventSource>>& sources, int output_fd,
                std::chrono::milliseconds tick, WatchLog* log) {
  std::vector<pollfd> fds;
  for (const auto& source : sources) {
    if (source->fd() >= 0) fds.push_back({source->fd(), POLLIN, 0});
  }
  // The pipe reports POLLERR once the agent closed its end.
  fds.push_back({output_fd, 0, 0});
  std::vector<CollectedEvent> events;
  std::string sent_checkpoint = boost::json::serialize(checkpoint_of(sources));
  // What the sources said while they started.
  if (!send_log(output_fd, log)) return 0;
  while (true) {
    std::chrono::milliseconds wait = tick;
    for (const auto& source : sources) wait = std::min(wait, source->due_in(tick));
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    if (ready < 0 && errno != EINTR) return 1;
    if ((fds.back().revents & (POLLERR | POLLHUP)) != 0) return 0;
    for (const auto& source : sources) source->poll(events);
    if (!send_log(output_fd, log)) return 0;
    boost::json::object checkpoint = checkpoint_of(sources);
    std::string serialized = boost::json::serialize(checkpoint);
    const bool moved = serialized != sent_checkpoint;
    if (events.empty() && !moved) continue;
    if (!send(output_fd, events, moved ? std::optional(std::move(checkpoint)) : std::nullopt)) {
      return 0;
    }
    sent_checkpoint = std::move(serialized);
  }
}

}  // namespace sentinel::agent::watch
