#pragma once
// Reads the systemd journal through sd-journal: the local journal, or a directory or files (for
// tests and for journals copied from elsewhere). Resumes after a saved cursor, or starts at the
// tail (or the head) the first time.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/logs/line_sanitizer.h"
#include "sentinel/common/result.h"

struct sd_journal;

namespace sentinel::agent::logs {

struct JournalApi;

/// The fields of one journal entry that become a `log` event. Views, valid during the sink call.
struct JournalEntry {
  std::int64_t time_ms = 0;     // __REALTIME_TIMESTAMP
  std::string_view message;     // MESSAGE, sanitised (a multi-line message keeps its newlines)
  std::string_view identifier;  // SYSLOG_IDENTIFIER, else _COMM; may be empty
  std::string_view pid;         // _PID, else SYSLOG_PID; may be empty
  std::string_view hostname;    // _HOSTNAME; may be empty
};

/// How a JournalReader reads. A plain value.
struct JournalOptions {
  /// Without a cursor: start after the last entry (default) or at the first one.
  bool start_at_beginning = false;
  std::size_t max_entries_per_poll = 10000;
  std::size_t max_message_bytes = kMaxLineBytes;
};

/// The result of one JournalReader::poll().
struct JournalPoll {
  std::size_t entries = 0;
  /// The per-poll entry budget ran out with more to read: poll again soon.
  bool more = false;
};

/// One open journal. Move-only; not thread-safe (sd-journal objects are not).
class JournalReader {
 public:
  /// Receives each new entry.
  using EntrySink = std::function<void(const JournalEntry& entry)>;

  /// The local machine's journal (system and users). `cursor` (from cursor()) resumes after that
  /// entry; empty starts per `options`. kInvalidArgument for a malformed cursor, kUnavailable
  /// when the journal cannot be opened.
  static Result<JournalReader> open_local(const JournalOptions& options,
                                          std::string_view cursor = {});

  /// The journal files of `directory`, as `journalctl -D`.
  static Result<JournalReader> open_directory(const std::filesystem::path& directory,
                                              const JournalOptions& options,
                                              std::string_view cursor = {});

  /// The given journal files, as `journalctl --file`.
  static Result<JournalReader> open_files(const std::vector<std::filesystem::path>& files,
                                          const JournalOptions& options,
                                          std::string_view cursor = {});

  JournalReader(JournalReader&& other) noexcept;
  JournalReader& operator=(JournalReader&& other) noexcept;
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;
  ~JournalReader();

  /// Hands on the entries added since the last call (at most max_entries_per_poll).
  /// kUnavailable when the journal cannot be read.
  Result<JournalPoll> poll(const EntrySink& sink);

  /// The cursor of the last entry handed on (or of the entry the reader started after): what to
  /// save. Empty while the reader has no position (an empty journal read from its tail).
  const std::string& cursor() const { return cursor_; }

  /// A descriptor that becomes readable when the journal changes (sd_journal_get_fd), for the
  /// caller's poll(2); -1 when there is none.
  int wait_fd() const { return wait_fd_; }

  /// Counters since opening, for `collector.stats`.
  const LineCounters& stats() const { return stats_; }

 private:
  JournalReader(const JournalApi& api, sd_journal* journal, const JournalOptions& options);
  static Result<JournalReader> position(const JournalApi& api, sd_journal* journal,
                                        const JournalOptions& options, std::string_view cursor);
  std::string_view field(const char* name, std::string& storage);
  void remember_cursor();

  const JournalApi* api_ = nullptr;  // loaded once per process, never unloaded
  sd_journal* journal_ = nullptr;
  JournalOptions options_;
  std::string cursor_;
  bool skip_cursor_entry_ = false;  // the first entry after seeking a cursor is the one read last
  int wait_fd_ = -1;
  std::string message_raw_;
  std::string message_;
  std::string identifier_;
  std::string pid_;
  std::string hostname_;
  std::string scratch_;
  LineCounters stats_;
};

}  // namespace sentinel::agent::logs
