#include "agent/collectors/logs/file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace sentinel::agent::logs {
namespace {

// Up to kFingerprintBytes from the start of `fd`; shorter when the file is.
std::string read_prefix(int fd, std::uint64_t file_size) {
  std::string prefix(std::min<std::uint64_t>(file_size, kFingerprintBytes), '\0');
  std::size_t have = 0;
  while (have < prefix.size()) {
    const ssize_t n =
        ::pread(fd, prefix.data() + have, prefix.size() - have, static_cast<off_t>(have));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    have += static_cast<std::size_t>(n);
  }
  prefix.resize(have);
  return prefix;
}

// Whether the first bytes of the file are still those `position` fingerprinted.
bool prefix_matches(const FilePosition& position, std::string_view prefix) {
  if (prefix.size() < position.fingerprint_length) return false;
  return fingerprint_of(prefix.substr(0, position.fingerprint_length)) == position.fingerprint;
}

void set_fingerprint(FilePosition& position, std::string_view prefix) {
  position.fingerprint_length = static_cast<std::uint32_t>(prefix.size());
  position.fingerprint = fingerprint_of(prefix);
}

}  // namespace

FileTailer::FileTailer(std::filesystem::path path, TailerOptions options,
                       std::optional<FilePosition> saved)
    : path_(std::move(path)), options_(options), saved_(std::move(saved)) {
  options_.max_line_bytes = std::max<std::size_t>(options_.max_line_bytes, 1);
  options_.read_chunk_bytes = std::max<std::size_t>(options_.read_chunk_bytes, 1);
  options_.max_bytes_per_poll = std::max<std::size_t>(options_.max_bytes_per_poll, 1);
  if (saved_) position_ = *saved_;
}

FileTailer::~FileTailer() { close_file(); }

FileTailer::FileTailer(FileTailer&& other) noexcept
    : path_(std::move(other.path_)),
      options_(other.options_),
      saved_(std::move(other.saved_)),
      first_open_(other.first_open_),
      fd_(std::exchange(other.fd_, -1)),
      position_(other.position_),
      read_offset_(other.read_offset_),
      pending_(std::move(other.pending_)),
      pending_cut_(other.pending_cut_),
      skip_to_newline_(other.skip_to_newline_),
      chunk_(std::move(other.chunk_)),
      scratch_(std::move(other.scratch_)),
      stats_(other.stats_) {}

FileTailer& FileTailer::operator=(FileTailer&& other) noexcept {
  if (this != &other) {
    close_file();
    path_ = std::move(other.path_);
    options_ = other.options_;
    saved_ = std::move(other.saved_);
    first_open_ = other.first_open_;
    fd_ = std::exchange(other.fd_, -1);
    position_ = other.position_;
    read_offset_ = other.read_offset_;
    pending_ = std::move(other.pending_);
    pending_cut_ = other.pending_cut_;
    skip_to_newline_ = other.skip_to_newline_;
    chunk_ = std::move(other.chunk_);
    scratch_ = std::move(other.scratch_);
    stats_ = other.stats_;
  }
  return *this;
}

PollResult FileTailer::poll(const LineSink& sink) {
  PollResult result;
  std::size_t budget = options_.max_bytes_per_poll;
  if (fd_ < 0) {
    const bool opened = open_path(/*rotated=*/false);
    first_open_ = false;  // a file that appears later is new: read it whole
    if (!opened) return result;
  }
  check_same_file(sink, result.lines);
  if (!read_available(budget, sink, result.lines)) {
    result.more = true;
    return result;
  }
  // At the end of the open file: does the path still name it? A missing path keeps the old file
  // open, since its writer may still be appending to it until told to reopen.
  struct stat path_stat {};
  if (::stat(path_.c_str(), &path_stat) != 0) return result;
  if (static_cast<std::uint64_t>(path_stat.st_dev) == position_.device &&
      static_cast<std::uint64_t>(path_stat.st_ino) == position_.inode) {
    return result;
  }
  // Rotated by rename: lines may have been appended between the read above and the rename, so
  // finish the old file before moving on.
  if (!read_available(budget, sink, result.lines)) {
    result.more = true;
    return result;
  }
  flush_pending(sink, result.lines);
  close_file();
  ++stats_.rotations;
  if (open_path(/*rotated=*/true) && !read_available(budget, sink, result.lines)) {
    result.more = true;
  }
  return result;
}

bool FileTailer::open_path(bool rotated) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno != ENOENT && errno != ENOTDIR) ++stats_.open_errors;
    return false;
  }
  struct stat file_stat {};
  if (::fstat(fd, &file_stat) != 0 || !S_ISREG(file_stat.st_mode)) {
    ::close(fd);
    ++stats_.open_errors;
    return false;
  }
  fd_ = fd;
  reset_pending();
  skip_to_newline_ = false;
  const auto size = static_cast<std::uint64_t>(file_stat.st_size);
  const std::string prefix = read_prefix(fd_, size);

  FilePosition opened;
  opened.device = static_cast<std::uint64_t>(file_stat.st_dev);
  opened.inode = static_cast<std::uint64_t>(file_stat.st_ino);
  set_fingerprint(opened, prefix);
  if (saved_) {
    const bool same_inode = saved_->device == opened.device && saved_->inode == opened.inode;
    if (same_inode && size < saved_->offset) {
      ++stats_.truncations;  // shrank while we were not looking
    } else if (same_inode && prefix_matches(*saved_, prefix)) {
      opened.offset = saved_->offset;
    } else {
      ++stats_.rotations;  // the path names another file now (or a reused inode)
    }
    saved_.reset();
  } else if (first_open_ && !rotated && !options_.start_at_beginning && size > 0) {
    opened.offset = size;
    char last = '\n';
    if (::pread(fd_, &last, 1, static_cast<off_t>(size - 1)) == 1 && last != '\n') {
      skip_to_newline_ = true;  // a writer is mid-line: its head is not ours to report
    }
  }
  position_ = opened;
  read_offset_ = opened.offset;
  return true;
}

void FileTailer::close_file() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool FileTailer::check_same_file(const LineSink& sink, std::size_t& lines) {
  struct stat file_stat {};
  if (::fstat(fd_, &file_stat) != 0) return true;
  const auto size = static_cast<std::uint64_t>(file_stat.st_size);
  // A copytruncate may be followed by new writes past our offset before we look, so the size
  // alone does not tell: the first bytes do.
  const std::string prefix = read_prefix(fd_, size);
  if (size >= read_offset_ && prefix_matches(position_, prefix)) {
    if (position_.fingerprint_length < prefix.size()) set_fingerprint(position_, prefix);
    return true;
  }
  flush_pending(sink, lines);
  ++stats_.truncations;
  skip_to_newline_ = false;
  position_.offset = 0;
  read_offset_ = 0;
  set_fingerprint(position_, prefix);
  return false;
}

bool FileTailer::read_available(std::size_t& budget, const LineSink& sink, std::size_t& lines) {
  if (chunk_.empty()) chunk_.resize(options_.read_chunk_bytes);
  while (true) {
    if (budget == 0) return false;
    const std::size_t want = std::min(chunk_.size(), budget);
    const ssize_t n = ::pread(fd_, chunk_.data(), want, static_cast<off_t>(read_offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ++stats_.open_errors;
      return true;
    }
    if (n == 0) return true;
    const auto got = static_cast<std::size_t>(n);
    budget -= got;
    stats_.bytes_read += got;
    take_bytes(std::string_view(chunk_.data(), got), read_offset_, sink, lines);
    read_offset_ += got;
    if (got < want) return true;  // a short read of a regular file: its end
  }
}

void FileTailer::take_bytes(std::string_view bytes, std::uint64_t chunk_offset,
                            const LineSink& sink, std::size_t& lines) {
  const auto hold = [this](std::string_view part) {
    if (skip_to_newline_) return;
    const std::size_t room = options_.max_line_bytes - pending_.size();
    if (part.size() > room) {
      pending_.append(part.substr(0, room));
      pending_cut_ = true;
    } else {
      pending_.append(part);
    }
  };
  std::size_t start = 0;
  while (start < bytes.size()) {
    const void* found = std::memchr(bytes.data() + start, '\n', bytes.size() - start);
    if (found == nullptr) {
      hold(bytes.substr(start));
      return;
    }
    const auto end = static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data());
    const std::string_view part = bytes.substr(start, end - start);
    if (skip_to_newline_) {
      skip_to_newline_ = false;
    } else if (pending_.empty() && !pending_cut_) {
      const bool cut = part.size() > options_.max_line_bytes;
      deliver(cut ? part.substr(0, options_.max_line_bytes) : part, cut, sink, lines);
    } else {
      hold(part);
      deliver(pending_, pending_cut_, sink, lines);
      reset_pending();
    }
    position_.offset = chunk_offset + end + 1;
    start = end + 1;
  }
}

void FileTailer::deliver(std::string_view raw, bool cut, const LineSink& sink, std::size_t& lines) {
  if (!cut && !raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  LineDefects defects;
  const SanitizeOptions sanitize{.max_bytes = options_.max_line_bytes};
  const std::string_view line = sanitize_line(raw, sanitize, scratch_, defects, cut);
  stats_.lines.count(defects);
  ++lines;
  sink(line);
}

void FileTailer::flush_pending(const LineSink& sink, std::size_t& lines) {
  if (!pending_.empty() || pending_cut_) {
    deliver(pending_, pending_cut_, sink, lines);
    position_.offset = read_offset_;
  }
  reset_pending();
}

void FileTailer::reset_pending() {
  pending_.clear();
  pending_cut_ = false;
}

}  // namespace sentinel::agent::logs
