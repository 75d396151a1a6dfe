#pragma once
// uid -> user name for events, from the passwd file itself rather than getpwuid(): NSS modules
// would load code (and open sockets) inside the confined watcher child, and directory users are
// not worth that there. The server can resolve them later from the uid.

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace sentinel::agent::process {

/// A cache of one passwd file, re-read when the file changes. Not thread-safe: one owner.
class UserNames {
 public:
  /// Reads nothing yet; the first refresh() does.
  explicit UserNames(std::filesystem::path passwd) : passwd_(std::move(passwd)) {}

  /// Re-reads the file when its inode, size or modification time changed since the last read
  /// (one stat() otherwise). A missing or unreadable file leaves no names.
  void refresh();

  /// The name of `uid`, or nullptr when the file does not list it.
  const std::string* find(std::int64_t uid) const;

 private:
  std::filesystem::path passwd_;
  std::map<std::int64_t, std::string> names_;
  bool loaded_ = false;
  ino_t inode_ = 0;
  off_t size_ = 0;
  std::int64_t modified_ns_ = 0;
};

}  // namespace sentinel::agent::process
