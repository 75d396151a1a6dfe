#include "agent/collectors/logs/journal_reader.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "agent/collectors/logs/journal_api.h"

namespace sentinel::agent::logs {
namespace {

// Identifiers, PIDs and host names are short; anything longer is cut.
constexpr std::size_t kMaxShortField = 256;

std::string errno_text(int negative_errno) { return std::strerror(-negative_errno); }

// Field names sd-journal prefixes each value with ("MESSAGE=...").
std::string_view strip_name(const void* data, std::size_t length, std::string_view name) {
  std::string_view text(static_cast<const char*>(data), length);
  if (text.size() <= name.size() || !text.starts_with(name) || text[name.size()] != '=') return {};
  return text.substr(name.size() + 1);
}

}  // namespace

JournalReader::JournalReader(const JournalApi& api, sd_journal* journal,
                             const JournalOptions& options)
    : api_(&api), journal_(journal), options_(options) {}

JournalReader::JournalReader(JournalReader&& other) noexcept
    : api_(other.api_),
      journal_(std::exchange(other.journal_, nullptr)),
      options_(other.options_),
      cursor_(std::move(other.cursor_)),
      skip_cursor_entry_(other.skip_cursor_entry_),
      wait_fd_(std::exchange(other.wait_fd_, -1)),
      stats_(other.stats_) {}

JournalReader& JournalReader::operator=(JournalReader&& other) noexcept {
  if (this != &other) {
    if (journal_ != nullptr) api_->close(journal_);
    api_ = other.api_;
    journal_ = std::exchange(other.journal_, nullptr);
    options_ = other.options_;
    cursor_ = std::move(other.cursor_);
    skip_cursor_entry_ = other.skip_cursor_entry_;
    wait_fd_ = std::exchange(other.wait_fd_, -1);
    stats_ = other.stats_;
  }
  return *this;
}

JournalReader::~JournalReader() {
  if (journal_ != nullptr) api_->close(journal_);
}

Result<JournalReader> JournalReader::open_local(const JournalOptions& options,
                                                std::string_view cursor) {
  SENTINEL_ASSIGN(api, journal_api());
  sd_journal* journal = nullptr;
  const int r = api->open(&journal, SD_JOURNAL_LOCAL_ONLY);
  if (r < 0) return unavailable("cannot open the local journal: " + errno_text(r));
  return position(*api, journal, options, cursor);
}

Result<JournalReader> JournalReader::open_directory(const std::filesystem::path& directory,
                                                    const JournalOptions& options,
                                                    std::string_view cursor) {
  SENTINEL_ASSIGN(api, journal_api());
  sd_journal* journal = nullptr;
  const int r = api->open_directory(&journal, directory.c_str(), 0);
  if (r < 0) {
    return unavailable("cannot open the journal in " + directory.string() + ": " + errno_text(r));
  }
  return position(*api, journal, options, cursor);
}

Result<JournalReader> JournalReader::open_files(const std::vector<std::filesystem::path>& files,
                                                const JournalOptions& options,
                                                std::string_view cursor) {
  if (files.empty()) return invalid_argument("no journal files given", "files");
  SENTINEL_ASSIGN(api, journal_api());
  std::vector<const char*> paths;
  for (const auto& file : files) paths.push_back(file.c_str());
  paths.push_back(nullptr);
  sd_journal* journal = nullptr;
  const int r = api->open_files(&journal, paths.data(), 0);
  if (r < 0) return unavailable("cannot open the journal files: " + errno_text(r));
  return position(*api, journal, options, cursor);
}

Result<JournalReader> JournalReader::position(const JournalApi& api, sd_journal* journal,
                                              const JournalOptions& options,
                                              std::string_view cursor) {
  JournalReader reader(api, journal, options);
  // A message longer than the cap is cut anyway: do not decompress more of it than that.
  api.set_data_threshold(journal, options.max_message_bytes + sizeof("MESSAGE="));
  // Watches for new entries and files; also what makes sd_journal_process() see them.
  reader.wait_fd_ = api.get_fd(journal);
  if (reader.wait_fd_ < 0) reader.wait_fd_ = -1;
  if (!cursor.empty()) {
    const std::string text(cursor);
    if (text.find('=') == std::string::npos || api.seek_cursor(journal, text.c_str()) < 0) {
      return invalid_argument("malformed journal cursor", "cursor");
    }
    reader.cursor_ = text;
    reader.skip_cursor_entry_ = true;
  } else if (options.start_at_beginning) {
    api.seek_head(journal);
  } else {
    // The tail is after the last entry; step back onto it so that next() yields only new ones,
    // and so that there is a cursor to save even before anything new arrives.
    api.seek_tail(journal);
    if (api.previous(journal) > 0) reader.remember_cursor();
  }
  return reader;
}

Result<JournalPoll> JournalReader::poll(const EntrySink& sink) {
  JournalPoll result;
  if (wait_fd_ >= 0) api_->process(journal_);
  while (true) {
    if (result.entries >= options_.max_entries_per_poll) {
      result.more = true;
      break;
    }
    const int r = api_->next(journal_);
    if (r < 0) return unavailable("cannot read the journal: " + errno_text(r));
    if (r == 0) break;
    if (skip_cursor_entry_) {
      skip_cursor_entry_ = false;
      // The entry the cursor names was handed on before; one after it (when that entry is gone)
      // was not.
      if (api_->test_cursor(journal_, cursor_.c_str()) > 0) continue;
    }
    JournalEntry entry;
    std::uint64_t usec = 0;
    if (api_->get_realtime_usec(journal_, &usec) >= 0) {
      entry.time_ms = static_cast<std::int64_t>(usec / 1000);
    }
    const std::string_view raw = field("MESSAGE", message_raw_);
    LineDefects defects;
    const bool cut = raw.size() > options_.max_message_bytes;
    const SanitizeOptions sanitize{.max_bytes = options_.max_message_bytes, .keep_newlines = true};
    entry.message = sanitize_line(cut ? raw.substr(0, options_.max_message_bytes) : raw, sanitize,
                                  message_, defects, cut);
    stats_.count(defects);
    entry.identifier = field("SYSLOG_IDENTIFIER", identifier_);
    if (entry.identifier.empty()) entry.identifier = field("_COMM", identifier_);
    entry.pid = field("_PID", pid_);
    if (entry.pid.empty()) entry.pid = field("SYSLOG_PID", pid_);
    entry.hostname = field("_HOSTNAME", hostname_);
    remember_cursor();
    ++result.entries;
    sink(entry);
  }
  return result;
}

std::string_view JournalReader::field(const char* name, std::string& storage) {
  storage.clear();
  const void* data = nullptr;
  std::size_t length = 0;
  if (api_->get_data(journal_, name, &data, &length) < 0) return {};
  // The data lives in a window sd-journal may remap on the next call: copy it, no more than the
  // cap (plus one byte, to tell that it was cut). Identifiers and host names are set by the
  // logging process, so they are made safe too.
  const std::string_view value = strip_name(data, length, name);
  if (std::strcmp(name, "MESSAGE") == 0) {
    storage.assign(value.substr(0, options_.max_message_bytes + 1));
    return storage;
  }
  LineDefects defects;
  const std::string_view safe =
      sanitize_line(value.substr(0, kMaxShortField), SanitizeOptions{.max_bytes = kMaxShortField},
                    scratch_, defects);
  storage.assign(safe);
  return storage;
}

void JournalReader::remember_cursor() {
  char* cursor = nullptr;
  if (api_->get_cursor(journal_, &cursor) >= 0 && cursor != nullptr) {
    cursor_.assign(cursor);
    std::free(cursor);
  }
}

}  // namespace sentinel::agent::logs
