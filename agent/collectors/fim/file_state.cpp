#include "agent/collectors/fim/file_state.h"

#include <fmt/format.h>

namespace sentinel::agent::fim {
namespace {

std::int64_t nanoseconds(const struct timespec& time) {
  return static_cast<std::int64_t>(time.tv_sec) * 1'000'000'000 + time.tv_nsec;
}

FileType type_of(mode_t mode) {
  if (S_ISDIR(mode)) return FileType::kDirectory;
  if (S_ISLNK(mode)) return FileType::kSymlink;
  if (S_ISFIFO(mode)) return FileType::kFifo;
  if (S_ISSOCK(mode)) return FileType::kSocket;
  if (S_ISCHR(mode)) return FileType::kCharDevice;
  if (S_ISBLK(mode)) return FileType::kBlockDevice;
  return FileType::kFile;
}

// Appends the state's fields under `prefix` ("file." or "file.old.").
void add_state(std::vector<detection::Field>& fields, std::string_view prefix,
               const FileState& state) {
  const auto add = [&](std::string_view name, std::string value) {
    fields.push_back({std::string(prefix) + std::string(name), std::move(value)});
  };
  add("type", std::string(to_string(state.type)));
  if (state.type != FileType::kDirectory) add("size", std::to_string(state.size));
  add("mode", fmt::format("{:04o}", state.mode));
  add("uid", std::to_string(state.uid));
  add("gid", std::to_string(state.gid));
  if (!state.sha256.empty()) add("hash.sha256", state.sha256);
}

}  // namespace

std::string_view to_string(FileType type) {
  switch (type) {
    case FileType::kFile:
      return "file";
    case FileType::kDirectory:
      return "dir";
    case FileType::kSymlink:
      return "symlink";
    case FileType::kFifo:
      return "fifo";
    case FileType::kSocket:
      return "socket";
    case FileType::kCharDevice:
      return "char_device";
    case FileType::kBlockDevice:
      return "block_device";
  }
  return "file";
}

std::string_view to_string(ChangeAction action) {
  switch (action) {
    case ChangeAction::kCreated:
      return "created";
    case ChangeAction::kModified:
      return "modified";
    case ChangeAction::kDeleted:
      return "deleted";
    case ChangeAction::kAttributesChanged:
      return "attributes_changed";
  }
  return "modified";
}

std::string_view to_string(Trigger trigger) {
  return trigger == Trigger::kRealtime ? "realtime" : "scheduled";
}

FileState state_from_stat(const struct stat& info) {
  FileState state;
  state.type = type_of(info.st_mode);
  state.size = static_cast<std::int64_t>(info.st_size);
  state.mode = static_cast<std::uint32_t>(info.st_mode & 07777);
  state.uid = info.st_uid;
  state.gid = info.st_gid;
  state.mtime_ns = nanoseconds(info.st_mtim);
  state.ctime_ns = nanoseconds(info.st_ctim);
  state.inode = info.st_ino;
  return state;
}

bool same_content_stamp(const FileState& before, const FileState& after) {
  return before.type == after.type && before.size == after.size &&
         before.mtime_ns == after.mtime_ns && before.ctime_ns == after.ctime_ns &&
         before.inode == after.inode;
}

std::optional<ChangeAction> classify(const std::optional<FileState>& before,
                                     const std::optional<FileState>& after) {
  if (!before && !after) return std::nullopt;
  if (!before) return ChangeAction::kCreated;
  if (!after) return ChangeAction::kDeleted;
  if (before->type != after->type) return ChangeAction::kModified;
  const bool digests_known = !before->sha256.empty() && !after->sha256.empty();
  if (digests_known && before->sha256 != after->sha256) return ChangeAction::kModified;
  // Without both digests (an unreadable file) a new size is still a content change.
  if (!digests_known && before->type == FileType::kFile && before->size != after->size) {
    return ChangeAction::kModified;
  }
  if (before->mode != after->mode || before->uid != after->uid || before->gid != after->gid) {
    return ChangeAction::kAttributesChanged;
  }
  return std::nullopt;
}

CollectedEvent change_event(const FileChange& change, Trigger trigger, std::int64_t time_ms) {
  CollectedEvent event;
  event.type = "fim";
  event.time_ms = time_ms;
  event.fields.reserve(20);
  event.fields.push_back({"event.action", std::string(to_string(change.action))});
  event.fields.push_back({"file.path", change.path});
  if (change.after) {
    add_state(event.fields, "file.", *change.after);
  } else if (change.before) {
    event.fields.push_back({"file.type", std::string(to_string(change.before->type))});
  }
  if (change.before) add_state(event.fields, "file.old.", *change.before);
  event.fields.push_back({"fim.trigger", std::string(to_string(trigger))});
  return event;
}

}  // namespace sentinel::agent::fim
