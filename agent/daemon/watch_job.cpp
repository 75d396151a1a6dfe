#include "agent/daemon/watch_job.h"

#include <fcntl.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include "agent/collectors/fim/stats_event.h"
#include "agent/daemon/state_file.h"
#include "agent/sandbox/sandbox.h"
#include "agent/watch/watch_log.h"
#include "agent/watch/watch_protocol.h"
#include "agent/watch/watcher.h"

namespace sentinel::agent {
namespace {

constexpr std::chrono::milliseconds kMaxBackoff{60000};

std::string checkpoint_path(const std::string& data_dir) {
  return data_dir + "/watch-checkpoint.json";
}

std::string data_json(const CollectedEvent& event) {
  boost::json::object data;
  for (const detection::Field& field : event.fields) data[field.name] = field.value;
  return boost::json::serialize(data);
}

}  // namespace

WatchJob::WatchJob(WatchJobOptions options, Spool& spool, SourceFactory sources,
                   std::function<void()> spooled)
    : options_(std::move(options)),
      spool_(spool),
      sources_(std::move(sources)),
      spooled_(std::move(spooled)),
      checkpoint_(read_json_object(checkpoint_path(options_.data_dir))),
      stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

WatchJob::~WatchJob() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void WatchJob::start() {
  thread_ = std::thread([this] { run(); });
}

void WatchJob::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const std::uint64_t one = 1;
  if (stop_fd_ >= 0) (void)::write(stop_fd_, &one, sizeof one);
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

namespace {

spdlog::level::level_enum spdlog_level(watch::LogLevel level) {
  switch (level) {
    case watch::LogLevel::kDebug:
      return spdlog::level::debug;
    case watch::LogLevel::kInfo:
      return spdlog::level::info;
    case watch::LogLevel::kWarn:
      return spdlog::level::warn;
    case watch::LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

}  // namespace

Status WatchJob::store(watch::WatchBatch& batch) {
  if (batch.log) {
    // Decoded strictly (no control characters, size-capped): safe to put in the log as is.
    spdlog::log(spdlog_level(batch.log->level), "watch: {}", batch.log->message);
    return ok();
  }
  if (!batch.events.empty()) {
    std::vector<NewEvent> events;
    events.reserve(batch.events.size());
    for (const CollectedEvent& event : batch.events) {
      events.push_back(NewEvent{event.type, data_json(event), event.time_ms});
    }
    SENTINEL_TRY(spool_.append_batch(events));
    spooled_();
    // The agent says when the FIM baseline is complete, which people and benchmarks wait for,
    // from the stats event that tells the server the same.
    for (const CollectedEvent& event : batch.events) {
      if (auto line = fim::baseline_complete_message(event)) spdlog::info("{}", *line);
    }
  }
  if (batch.checkpoint) {
    checkpoint_ = std::move(*batch.checkpoint);
    SENTINEL_TRY(write_file_atomically(checkpoint_path(options_.data_dir),
                                       boost::json::serialize(checkpoint_), 0600));
  }
  return ok();
}

bool WatchJob::pump(int fd) {
  watch::FrameReader reader;
  char buffer[65536];
  while (true) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return true;
    }
    if (fds[1].revents != 0) return true;
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;
    Result<std::vector<watch::WatchBatch>> batches =
        reader.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
    if (!batches) {
      spdlog::error("watch: the collector child sent a malformed record ({}); restarting it",
                    batches.error().message);
      return false;
    }
    for (watch::WatchBatch& batch : *batches) {
      if (Status stored = store(batch); !stored) {
        // The child blocks on the pipe meanwhile: nothing is lost, the disk may be full.
        spdlog::error("watch: cannot spool collected events: {}", stored.error().message);
        return false;
      }
    }
  }
}

void WatchJob::run() {
  auto backoff = options_.restart_backoff;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    const auto started = std::chrono::steady_clock::now();
    const boost::json::object checkpoint = checkpoint_;
    int privileged_fd = -1;  // in the child: kInheritedFd when the agent opened one
    const auto work = [this, &checkpoint, &privileged_fd](int output_fd) {
      // Made in the child, declared before the sources so that it outlives their loggers.
      SystemClock clock;
      watch::WatchLog log(clock);
      std::vector<std::unique_ptr<watch::EventSource>> sources =
          sources_(checkpoint, log.logger(), privileged_fd);
      return watch::run_watcher(sources, output_fd, std::chrono::milliseconds(250), &log);
    };
    if (options_.sandbox) {
      SandboxOptions sandbox;
      sandbox.user = options_.sandbox_user;
      sandbox.watcher = true;
      sandbox.inherited_fd = options_.open_privileged_fd ? options_.open_privileged_fd() : -1;
      if (sandbox.inherited_fd >= 0) privileged_fd = kInheritedFd;
      Result<ConfinedProcess> child = spawn_confined(work, sandbox);
      if (sandbox.inherited_fd >= 0) ::close(sandbox.inherited_fd);  // the child has its own
      if (!child) {
        spdlog::error("watch: cannot start the collector child: {}", child.error().message);
      } else {
        const bool clean = pump(child->output_fd);
        Status ended = finish_confined(*child, true, sandbox);
        if (!clean || !ended) {
          spdlog::error("watch: collector child ended: {}",
                        ended ? "malformed output" : ended.error().message);
        }
      }
    } else {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) == 0) {
        std::thread collector([&] {
          work(fds[1]);
          ::close(fds[1]);
        });
        pump(fds[0]);
        ::close(fds[0]);  // the collector's next write fails and it returns
        collector.join();
      }
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    // A child that ran for a while gets a fresh back-off.
    if (std::chrono::steady_clock::now() - started > kMaxBackoff)
      backoff = options_.restart_backoff;
    wake_.wait_for(lock, backoff, [&] { return stopping_; });
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

}  // namespace sentinel::agent
