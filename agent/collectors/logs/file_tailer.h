#pragma once
// Follows one log file by path, as `tail -F` does, and hands every new complete line on. Survives
// rotation by rename, copytruncate and truncation, a missing file, and a restart (through a
// FilePosition the caller saves). Memory is bounded: one read chunk and one pending line.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/collectors/logs/file_position.h"
#include "agent/collectors/logs/line_sanitizer.h"

namespace sentinel::agent::logs {

/// How a FileTailer reads. A plain value.
struct TailerOptions {
  /// Where to start in a file seen for the first time at start-up without a saved position:
  /// its end (default: old lines are not news) or its beginning. A file that appears later
  /// (after rotation, or one missing at start) is always read from its beginning.
  bool start_at_beginning = false;
  std::size_t max_line_bytes = kMaxLineBytes;
  std::size_t read_chunk_bytes = 64 * 1024;
  /// At most this many bytes are read per poll(), so that one busy file cannot starve others.
  std::size_t max_bytes_per_poll = 4 * 1024 * 1024;
};

/// What a FileTailer has seen since it was made: the line counters plus the file's own events.
struct TailerStats {
  LineCounters lines;
  std::uint64_t bytes_read = 0;
  std::uint64_t rotations = 0;    // the path came to name another file
  std::uint64_t truncations = 0;  // the file shrank below the offset, or its first bytes changed
  std::uint64_t open_errors = 0;  // the path exists but could not be opened or read
};

/// What one poll() did.
struct PollResult {
  std::size_t lines = 0;
  /// The per-poll byte budget ran out with more to read: poll again soon.
  bool more = false;
};

/// Follows one path. Not thread-safe; one owner calls poll() from one thread.
class FileTailer {
 public:
  /// Receives each line, sanitised (see sanitize_line), without its newline (nor a CR before
  /// it). The view is valid during the call only.
  using LineSink = std::function<void(std::string_view line)>;

  /// Follows `path`. With `saved` (a position() of an earlier run), resumes exactly there if the
  /// path still names that file, else reads the file now at the path from its beginning. Opens
  /// nothing until the first poll().
  FileTailer(std::filesystem::path path, TailerOptions options,
             std::optional<FilePosition> saved = std::nullopt);
  ~FileTailer();
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;
  FileTailer(FileTailer&& other) noexcept;
  FileTailer& operator=(FileTailer&& other) noexcept;

  /// Reads what was appended since the last call and hands on every complete line. A missing
  /// file is not an error: it is tried again on the next call.
  PollResult poll(const LineSink& sink);

  /// Just past the last line handed on, in the file currently followed: what to save so that a
  /// restart re-reads nothing already handed on and skips nothing. Before the file was first
  /// opened, the saved position given at construction (or a zero position).
  FilePosition position() const { return position_; }

  /// Counters since construction, for `collector.stats`.
  const TailerStats& stats() const { return stats_; }

  /// The followed path.
  const std::filesystem::path& path() const { return path_; }

  /// True while a file is open (false before the first successful open and while missing).
  bool is_open() const { return fd_ >= 0; }

 private:
  bool open_path(bool rotated);
  void close_file();
  bool check_same_file(const LineSink& sink, std::size_t& lines);
  bool read_available(std::size_t& budget, const LineSink& sink, std::size_t& lines);
  void take_bytes(std::string_view bytes, std::uint64_t chunk_offset, const LineSink& sink,
                  std::size_t& lines);
  void deliver(std::string_view raw, bool cut, const LineSink& sink, std::size_t& lines);
  void flush_pending(const LineSink& sink, std::size_t& lines);
  void reset_pending();

  std::filesystem::path path_;
  TailerOptions options_;
  std::optional<FilePosition> saved_;
  bool first_open_ = true;
  int fd_ = -1;
  FilePosition position_;
  std::uint64_t read_offset_ = 0;  // where the next read starts; >= position_.offset
  std::string pending_;            // the start of a line whose newline has not arrived
  bool pending_cut_ = false;       // that line went past the cap; its rest is being dropped
  bool skip_to_newline_ = false;   // started at the end, inside a line: drop up to its end
  std::vector<char> chunk_;
  std::string scratch_;
  TailerStats stats_;
};

}  // namespace sentinel::agent::logs
