#include "agent/watch/log_sources.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <chrono>

namespace sentinel::agent::watch {
namespace {

constexpr std::int64_t kStatsIntervalMs = 60'000;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<logs::FilePosition> saved_position(const boost::json::value& checkpoint) {
  if (!checkpoint.is_string()) return std::nullopt;
  Result<logs::FilePosition> position = logs::parse_file_position(checkpoint.get_string());
  if (!position) return std::nullopt;
  return *position;
}

// Whether a stats event is due: once a minute, and only when lines came in since the last one.
bool stats_due(std::int64_t now, std::int64_t& next_ms, std::uint64_t lines,
               std::uint64_t& reported_lines) {
  if (now < next_ms || lines == reported_lines) return false;
  next_ms = now + kStatsIntervalMs;
  reported_lines = lines;
  return true;
}

// An inotify descriptor reporting writes to, and creation, renaming and removal of, the files in
// the directory of `path` (a watch on the directory, unlike one on the file, survives rotation);
// -1 when it cannot be had.
int watch_directory_of(const std::filesystem::path& path) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return -1;
  const std::string directory = path.parent_path().string();
  if (::inotify_add_watch(fd, directory.empty() ? "." : directory.c_str(),
                          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads what inotify queued: only the wake-up matters, the tailer finds out what changed.
void drain(int fd) {
  alignas(inotify_event) std::array<char, 4096> buffer;
  while (::read(fd, buffer.data(), buffer.size()) > 0) {
  }
}

}  // namespace

LogFileSource::LogFileSource(std::filesystem::path path, const boost::json::value& checkpoint)
    : changes_fd_(watch_directory_of(path)),
      tailer_(path, logs::TailerOptions{}, saved_position(checkpoint)),
      path_(path.string()) {}

LogFileSource::~LogFileSource() {
  if (changes_fd_ >= 0) ::close(changes_fd_);
}

std::string LogFileSource::name() const { return key(path_); }

void LogFileSource::poll(std::vector<CollectedEvent>& out) {
  if (changes_fd_ >= 0) drain(changes_fd_);
  const std::int64_t now = now_ms();
  const logs::ParseContext context = logs::local_parse_context(now);
  tailer_.poll(
      [&](std::string_view line) { out.push_back(builder_.from_file_line(line, path_, context)); });
  if (stats_due(now, next_stats_ms_, tailer_.stats().lines.lines, reported_lines_)) {
    out.push_back(logs::file_stats_event(path_, tailer_.stats(), builder_.unparsed_lines(), now));
  }
}

boost::json::value LogFileSource::checkpoint() const {
  return boost::json::string(logs::to_string(tailer_.position()));
}

Result<std::unique_ptr<JournalSource>> JournalSource::open(const boost::json::value& checkpoint) {
  const std::string_view cursor =
      checkpoint.is_string() ? std::string_view(checkpoint.get_string()) : std::string_view();
  Result<logs::JournalReader> reader = logs::JournalReader::open_local({}, cursor);
  if (!reader && !cursor.empty()) reader = logs::JournalReader::open_local({});  // stale cursor
  if (!reader) return reader.error();
  return std::unique_ptr<JournalSource>(new JournalSource(std::move(*reader)));
}

void JournalSource::poll(std::vector<CollectedEvent>& out) {
  (void)reader_.poll(
      [&](const logs::JournalEntry& entry) { out.push_back(builder_.from_journal(entry)); });
  const std::int64_t now = now_ms();
  if (stats_due(now, next_stats_ms_, reader_.stats().lines, reported_lines_)) {
    out.push_back(logs::journal_stats_event(reader_.stats(), builder_.unparsed_lines(), now));
  }
}

boost::json::value JournalSource::checkpoint() const {
  if (reader_.cursor().empty()) return nullptr;
  return boost::json::string(reader_.cursor());
}

}  // namespace sentinel::agent::watch
