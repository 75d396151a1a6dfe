#include "agent/collectors/inventory/inventory_tracker.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

#include "agent/collectors/inventory/system_files.h"
#include "sentinel/protocol/agent_protocol.h"

namespace sentinel::agent::inventory {
namespace {

namespace model = sentinel::inventory;

constexpr int kStateVersion = 1;

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return internal_error(path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

// Writes `content` to `path` so that a crash leaves either the old or the new file: a temporary
// file in the same directory, fsync, rename over the target, fsync of the directory.
Status write_atomically(const std::filesystem::path& path, std::string_view content) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(temporary, "open");
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t count = ::write(fd, content.data() + written, content.size() - written);
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) {
      const Error error = io_error(temporary, "write");
      ::close(fd);
      return error;
    }
    written += static_cast<std::size_t>(count);
  }
  if (::fsync(fd) != 0) {
    const Error error = io_error(temporary, "fsync");
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return io_error(temporary, "close");
  if (::rename(temporary.c_str(), path.c_str()) != 0) return io_error(path, "rename");
  const int directory = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (directory < 0) return io_error(path.parent_path(), "open");
  const int synced = ::fsync(directory);
  ::close(directory);
  if (synced != 0) return io_error(path.parent_path(), "fsync");
  return ok();
}

// The remembered items of a section, or nullopt when there are none or they are unusable (a
// snapshot then starts over).
std::optional<model::KeyedItems> load_state(const std::filesystem::path& file,
                                            std::string_view section) {
  const auto text = read_optional(file, 256u << 20);
  if (!text) return std::nullopt;
  boost::system::error_code error;
  const boost::json::value state = boost::json::parse(*text, error);
  if (error || !state.is_object()) return std::nullopt;
  const boost::json::object& object = state.get_object();
  const auto* version = object.if_contains("version");
  const auto* stored_section = object.if_contains("section");
  const auto* items = object.if_contains("items");
  if (version == nullptr || !version->is_int64() || version->get_int64() != kStateVersion ||
      stored_section == nullptr || !stored_section->is_string() ||
      stored_section->get_string() != section || items == nullptr || !items->is_array()) {
    return std::nullopt;
  }
  auto keyed = model::key_items(section, items->get_array());
  if (!keyed) return std::nullopt;
  return std::move(*keyed);
}

boost::json::array to_array(std::vector<boost::json::object> items) {
  boost::json::array out;
  out.reserve(items.size());
  for (auto& item : items) out.emplace_back(std::move(item));
  return out;
}

// The inventory.delta data of `changes`.
boost::json::object delta_data(std::string_view section, std::vector<model::ItemChange> changes) {
  std::vector<boost::json::object> added;
  std::vector<boost::json::object> removed;
  boost::json::array changed;
  for (model::ItemChange& change : changes) {
    switch (change.kind) {
      case model::ItemChange::Kind::kAdded:
        added.push_back(std::move(*change.after));
        break;
      case model::ItemChange::Kind::kRemoved:
        removed.push_back(std::move(*change.before));
        break;
      case model::ItemChange::Kind::kChanged:
        changed.emplace_back(boost::json::object{{"before", std::move(*change.before)},
                                                 {"after", std::move(*change.after)}});
        break;
    }
  }
  return {{"section", section},
          {"added", to_array(std::move(added))},
          {"removed", to_array(std::move(removed))},
          {"changed", std::move(changed)}};
}

}  // namespace

Result<std::vector<PendingEvent>> snapshot_events(std::string_view section,
                                                  const boost::json::array& items,
                                                  std::size_t max_event_bytes) {
  // The envelope with the widest part numbers it can have; each item then costs its own size
  // and a comma.
  const std::size_t envelope = boost::json::serialize(boost::json::object{
                                                          {"section", section},
                                                          {"items", boost::json::array()},
                                                          {"part", model::kMaxSnapshotParts},
                                                          {"parts", model::kMaxSnapshotParts},
                                                      })
                                   .size();
  if (envelope >= max_event_bytes) return invalid_argument("snapshot: event limit too small");
  const std::size_t budget = max_event_bytes - 1 - envelope;  // strictly under the limit

  std::vector<boost::json::array> parts(1);
  std::size_t used = 0;
  for (const boost::json::value& item : items) {
    const std::size_t size = boost::json::serialize(item).size() + 1;
    if (size > budget) {
      return invalid_argument("snapshot: an item of " + std::string(section) + " is larger than " +
                              std::to_string(budget) + " bytes");
    }
    if (used + size > budget) {
      parts.emplace_back();
      used = 0;
    }
    parts.back().push_back(item);
    used += size;
  }
  if (static_cast<std::int64_t>(parts.size()) > model::kMaxSnapshotParts) {
    return invalid_argument("snapshot: " + std::string(section) + " needs more than " +
                            std::to_string(model::kMaxSnapshotParts) + " parts");
  }
  std::vector<PendingEvent> events;
  const auto count = static_cast<std::int64_t>(parts.size());
  for (std::int64_t part = 1; part <= count; ++part) {
    events.push_back({std::string(model::kSnapshotEventType),
                      {{"section", section},
                       {"items", std::move(parts[static_cast<std::size_t>(part - 1)])},
                       {"part", part},
                       {"parts", count}}});
  }
  return events;
}

Result<InventoryTracker> InventoryTracker::open(std::filesystem::path directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
      return io_error(directory, "mkdir");
    }
  }
  return InventoryTracker(std::move(directory));
}

std::filesystem::path InventoryTracker::state_file(std::string_view section) const {
  return directory_ / (std::string(section) + ".json");
}

Result<std::vector<PendingEvent>> InventoryTracker::next_events(const Snapshot& current,
                                                                bool full) {
  pending_.clear();
  std::vector<PendingEvent> events;
  for (const auto& [section, items] : current.sections) {
    SENTINEL_ASSIGN(now, model::key_items(section, items));
    std::optional<model::KeyedItems> before;
    if (!full) before = load_state(state_file(section), section);
    bool snapshot = !before.has_value();
    if (before) {
      auto changes = model::diff_items(*before, now);
      if (changes.empty()) continue;
      boost::json::object data = delta_data(section, std::move(changes));
      if (boost::json::serialize(data).size() < protocol::kMaxEventBytes) {
        events.push_back({std::string(model::kDeltaEventType), std::move(data)});
      } else {
        snapshot = true;  // a huge change (a distribution upgrade) is cheaper as a snapshot
      }
    }
    if (snapshot) {
      SENTINEL_ASSIGN(parts, snapshot_events(section, items, protocol::kMaxEventBytes));
      for (PendingEvent& event : parts) events.push_back(std::move(event));
    }
    pending_.emplace(section, items);
  }
  return events;
}

Status InventoryTracker::commit() {
  for (auto it = pending_.begin(); it != pending_.end(); it = pending_.erase(it)) {
    const boost::json::object state{
        {"version", kStateVersion}, {"section", it->first}, {"items", it->second}};
    SENTINEL_TRY(write_atomically(state_file(it->first), boost::json::serialize(state)));
  }
  return ok();
}

}  // namespace sentinel::agent::inventory
