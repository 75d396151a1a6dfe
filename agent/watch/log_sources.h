#pragma once
// The log collector as watcher sources: one per followed file (logs.files) and one for the
// systemd journal (logs.journal). Each emits `log` events and, every minute when something
// changed, a `collector.stats` event with its counters.

#include <filesystem>
#include <memory>

#include "agent/collectors/logs/file_tailer.h"
#include "agent/collectors/logs/journal_reader.h"
#include "agent/collectors/logs/log_event_builder.h"
#include "agent/watch/event_source.h"

namespace sentinel::agent::watch {

/// Follows one file from its saved position (`checkpoint`: a logs::FilePosition as text, or
/// null for the first start: from the end).
class LogFileSource final : public EventSource {
 public:
  LogFileSource(std::filesystem::path path, const boost::json::value& checkpoint);
  ~LogFileSource() override;
  LogFileSource(const LogFileSource&) = delete;
  LogFileSource& operator=(const LogFileSource&) = delete;
  /// The checkpoint key of the file at `path`: "logs:" + path.
  static std::string key(const std::string& path) { return "logs:" + path; }

  std::string name() const override;
  /// An inotify descriptor on the file's directory: a line is read as soon as it is written
  /// (and a rotation seen when it happens) rather than at the next tick. -1 when inotify is
  /// unavailable (watch limit reached, no directory yet): then the tick alone drives the source.
  int fd() const override { return changes_fd_; }
  void poll(std::vector<CollectedEvent>& out) override;
  boost::json::value checkpoint() const override;

 private:
  int changes_fd_ = -1;
  logs::FileTailer tailer_;
  logs::LogEventBuilder builder_;
  std::string path_;
  std::int64_t next_stats_ms_ = 0;
  std::uint64_t reported_lines_ = 0;
};

/// Reads the local journal from its saved cursor (or from its tail at the first start).
class JournalSource final : public EventSource {
 public:
  /// kUnavailable when the journal cannot be opened (no journald on this host).
  static Result<std::unique_ptr<JournalSource>> open(const boost::json::value& checkpoint);

  std::string name() const override { return "journal"; }
  int fd() const override { return reader_.wait_fd(); }
  void poll(std::vector<CollectedEvent>& out) override;
  boost::json::value checkpoint() const override;

 private:
  explicit JournalSource(logs::JournalReader reader) : reader_(std::move(reader)) {}

  logs::JournalReader reader_;
  logs::LogEventBuilder builder_;
  std::int64_t next_stats_ms_ = 0;
  std::uint64_t reported_lines_ = 0;
};

}  // namespace sentinel::agent::watch
