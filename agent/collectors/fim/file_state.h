#pragma once
// What the monitor remembers about a path, how two states differ, and the `fim` event that
// reports a change (fields as ADR 0004 lists them).

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "agent/collectors/collected_event.h"

namespace sentinel::agent::fim {

/// The kinds of filesystem objects; the numbers are stored in the baseline and never change.
enum class FileType : std::uint8_t {
  kFile = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kSocket = 5,
  kCharDevice = 6,
  kBlockDevice = 7,
};

/// The ECS `file.type` text: "file", "dir", "symlink", "fifo", "socket", "char_device",
/// "block_device".
std::string_view to_string(FileType type);

/// The state of one path. `sha256` (64 lower-case hex digits) is the content's digest for a
/// regular file, the digest of the link text for a symlink, and empty for other types or when
/// the content could not be read.
struct FileState {
  FileType type = FileType::kFile;
  std::int64_t size = 0;
  std::uint32_t mode = 0;  // permission bits with setuid, setgid and sticky (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t ctime_ns = 0;
  std::uint64_t inode = 0;
  std::string sha256;

  friend bool operator==(const FileState&, const FileState&) = default;
};

/// The state lstat() gave, without a digest.
FileState state_from_stat(const struct stat& info);

/// Whether `before`'s digest may be kept for `after` without reading the file again: same
/// type, size, mtime, ctime and inode. Content cannot change without changing mtime or ctime
/// (writing sets both; setting mtime back with utimes sets ctime).
bool same_content_stamp(const FileState& before, const FileState& after);

/// What happened to a path, the ECS `event.action`.
enum class ChangeAction { kCreated, kModified, kDeleted, kAttributesChanged };

/// "created", "modified", "deleted", "attributes_changed".
std::string_view to_string(ChangeAction action);

/// How a change was found, the `fim.trigger` field.
enum class Trigger { kRealtime, kScheduled };

/// "realtime", "scheduled".
std::string_view to_string(Trigger trigger);

/// The action that turns `before` into `after` (nullopt meaning "absent"), or nullopt when
/// nothing a user would care about changed: a new type or content is kModified, a new mode,
/// owner or group alone kAttributesChanged; times, inode and the size of a directory alone
/// are no change.
std::optional<ChangeAction> classify(const std::optional<FileState>& before,
                                     const std::optional<FileState>& after);

/// One change of one path.
struct FileChange {
  ChangeAction action = ChangeAction::kModified;
  std::string path;
  std::optional<FileState> before;  // absent for kCreated
  std::optional<FileState> after;   // absent for kDeleted
};

/// The `fim` event of `change`: event.action, file.path, the current state as file.type,
/// file.size (not for directories), file.mode (octal, "0644"), file.uid, file.gid and
/// file.hash.sha256 (when known), the previous state as file.old.*, and fim.trigger. A
/// deleted path has only file.path, file.type (what it was) and file.old.*.
CollectedEvent change_event(const FileChange& change, Trigger trigger, std::int64_t time_ms);

}  // namespace sentinel::agent::fim
