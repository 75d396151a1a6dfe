#include "agent/firewall/firewall_state.h"

#include <sys/stat.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "agent/daemon/state_file.h"
#include "agent/firewall/nft_table.h"

namespace sentinel::agent::firewall {
namespace {

constexpr const char* kConfirmedFile = "confirmed.json";
constexpr const char* kPendingFile = "pending.json";
constexpr int kStateFileMode = 0600;

// Removes the table whatever its state: the text of "no policy".
constexpr const char* kDeleteTable = "table inet sentinel {}\ndelete table inet sentinel\n";

boost::json::object to_json(const FirewallState::Record& record, bool pending) {
  boost::json::object sets;
  for (const auto& [name, count] : record.listing.set_elements) {
    sets[name] = static_cast<std::int64_t>(count);
  }
  boost::json::object object{{"version", record.release.version},
                             {"document_hash", record.release.document_hash},
                             {"nft_text", record.release.nft_text},
                             {"listing_hash", record.listing.hash},
                             {"set_elements", std::move(sets)}};
  if (pending) object["deadline_ms"] = record.deadline_ms;
  return object;
}

Result<std::int64_t> int_field(const boost::json::object& object, const char* key,
                               const std::string& file) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || !v->is_int64()) {
    return invalid_argument(file + ": '" + key + "' must be an integer", key);
  }
  return v->as_int64();
}

Result<std::string> string_field(const boost::json::object& object, const char* key,
                                 const std::string& file) {
  const auto* v = object.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return invalid_argument(file + ": '" + key + "' must be a string", key);
  }
  return std::string(v->as_string());
}

// nullopt when the file does not exist; an error naming it when it is not a record.
Result<std::optional<FirewallState::Record>> load(const std::string& path, bool pending) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::optional<FirewallState::Record>();
  const boost::json::object object = read_json_object(path);
  FirewallState::Record record;
  SENTINEL_ASSIGN(version, int_field(object, "version", path));
  SENTINEL_ASSIGN(document_hash, string_field(object, "document_hash", path));
  SENTINEL_ASSIGN(text, string_field(object, "nft_text", path));
  SENTINEL_ASSIGN(listing_hash, string_field(object, "listing_hash", path));
  record.release = {version, std::move(document_hash), std::move(text)};
  record.listing.hash = std::move(listing_hash);
  const auto* sets = object.if_contains("set_elements");
  if (sets == nullptr || !sets->is_object()) {
    return invalid_argument(path + ": 'set_elements' must be an object", "set_elements");
  }
  for (const auto& [name, count] : sets->as_object()) {
    if (!count.is_int64() || count.as_int64() < 0) {
      return invalid_argument(path + ": 'set_elements' values must be counts", "set_elements");
    }
    record.listing.set_elements[std::string(name)] = static_cast<std::size_t>(count.as_int64());
  }
  if (pending) {
    SENTINEL_ASSIGN(deadline, int_field(object, "deadline_ms", path));
    record.deadline_ms = deadline;
  }
  return std::optional<FirewallState::Record>(std::move(record));
}

}  // namespace

std::string_view to_string(DriftKind kind) {
  switch (kind) {
    case DriftKind::kMissingTable:
      return "missing_table";
    case DriftKind::kChangedRules:
      return "changed_rules";
    case DriftKind::kChangedSetElements:
      return "changed_set_elements";
  }
  return "changed_rules";
}

Result<std::unique_ptr<FirewallState>> FirewallState::create(FirewallTable& table,
                                                             const Clock& clock,
                                                             std::string state_dir) {
  if (::mkdir(state_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return unavailable("cannot create " + state_dir + ": " + std::strerror(errno));
  }
  std::unique_ptr<FirewallState> state(new FirewallState(table, clock, std::move(state_dir)));
  SENTINEL_ASSIGN(confirmed, load(state->state_dir_ + "/" + kConfirmedFile, false));
  SENTINEL_ASSIGN(pending, load(state->state_dir_ + "/" + kPendingFile, true));
  state->confirmed_ = std::move(confirmed);
  state->pending_ = std::move(pending);
  return state;
}

Status FirewallState::save(const std::string& name, const Record& record, bool pending) const {
  return write_file_atomically(state_dir_ + "/" + name,
                               boost::json::serialize(to_json(record, pending)), kStateFileMode);
}

Status FirewallState::remove(const std::string& name) const {
  const std::string path = state_dir_ + "/" + name;
  if (std::remove(path.c_str()) != 0 && errno != ENOENT) {
    return unavailable("cannot remove " + path + ": " + std::strerror(errno));
  }
  return ok();
}

Result<TableListing> FirewallState::replace_table(const std::string& text,
                                                  std::size_t* blocks_kept) {
  // Blocks live in the table being replaced: read them first, put them back in the same
  // transaction so that no blocked address gets through in between.
  SENTINEL_ASSIGN(blocks, table_.blocks());
  SENTINEL_ASSIGN(readd, readd_blocks_text(blocks));
  std::string buffer = text;
  if (!buffer.empty() && buffer.back() != '\n') buffer += '\n';
  buffer += readd;
  SENTINEL_TRY(table_.apply(buffer));
  if (blocks_kept != nullptr) *blocks_kept = blocks.size();
  return table_.listing();
}

Result<ApplyReport> FirewallState::begin_apply(const PolicyRelease& release,
                                               std::chrono::milliseconds grace) {
  if (grace.count() < 0) return invalid_argument("grace must not be negative", "grace");
  Record record{release, {}, clock_.now_ms() + grace.count()};
  // On disk before the kernel: a crash after the apply must still find the deadline.
  SENTINEL_TRY(save(kPendingFile, record, true));
  std::size_t blocks_kept = 0;
  auto listing = replace_table(release.nft_text, &blocks_kept);
  if (!listing) {
    // The transaction did not happen (or its check failed): what was in force still is.
    (void)remove(kPendingFile);
    pending_.reset();
    return std::move(listing).error();
  }
  record.listing = *listing;
  SENTINEL_TRY(save(kPendingFile, record, true));
  pending_ = record;
  return ApplyReport{release.version, release.document_hash, *listing, blocks_kept};
}

Status FirewallState::confirm(std::int64_t version) {
  if (!pending_) {
    if (confirmed_ && confirmed_->release.version == version) return ok();
    return conflict("no pending apply of version " + std::to_string(version), "version");
  }
  if (pending_->release.version != version) {
    return conflict("the pending apply is version " + std::to_string(pending_->release.version) +
                        ", not " + std::to_string(version),
                    "version");
  }
  SENTINEL_TRY(save(kConfirmedFile, *pending_, false));
  SENTINEL_TRY(remove(kPendingFile));
  confirmed_ = std::move(pending_);
  pending_.reset();
  return ok();
}

Result<std::optional<RollBack>> FirewallState::roll_back() {
  RollBack rolled{pending_->release.version, std::nullopt};
  if (confirmed_) {
    SENTINEL_ASSIGN(listing, replace_table(confirmed_->release.nft_text, nullptr));
    rolled.restored_version = confirmed_->release.version;
    if (listing != confirmed_->listing) {
      // Same text, another listing (e.g. a new nft version): what we compare from now on.
      confirmed_->listing = listing;
      SENTINEL_TRY(save(kConfirmedFile, *confirmed_, false));
    }
  } else {
    SENTINEL_TRY(table_.apply(kDeleteTable));
  }
  SENTINEL_TRY(remove(kPendingFile));
  pending_.reset();
  return std::optional<RollBack>(rolled);
}

Result<std::optional<RollBack>> FirewallState::tick() {
  if (!pending_ || clock_.now_ms() < pending_->deadline_ms) return std::optional<RollBack>();
  return roll_back();
}

Result<std::optional<RollBack>> FirewallState::recover() {
  if (!pending_) return std::optional<RollBack>();
  if (clock_.now_ms() >= pending_->deadline_ms) return roll_back();
  SENTINEL_ASSIGN(listing, replace_table(pending_->release.nft_text, nullptr));
  pending_->listing = listing;
  SENTINEL_TRY(save(kPendingFile, *pending_, true));
  return std::optional<RollBack>();
}

Result<std::optional<Drift>> FirewallState::check_drift() {
  Record* in_force = pending_ ? &*pending_ : (confirmed_ ? &*confirmed_ : nullptr);
  if (in_force == nullptr) return std::optional<Drift>();
  Drift drift;
  drift.expected = in_force->listing;
  drift.restored_version = in_force->release.version;
  auto found = table_.listing();
  if (!found) {
    if (found.error().code != ErrorCode::kNotFound) return std::move(found).error();
    drift.kind = DriftKind::kMissingTable;
  } else if (found->hash != in_force->listing.hash) {
    drift.kind = DriftKind::kChangedRules;
    drift.found = *found;
  } else if (found->set_elements != in_force->listing.set_elements) {
    drift.kind = DriftKind::kChangedSetElements;
    drift.found = *found;
  } else {
    return std::optional<Drift>();
  }
  SENTINEL_ASSIGN(listing, replace_table(in_force->release.nft_text, nullptr));
  if (listing != in_force->listing) {
    in_force->listing = listing;
    SENTINEL_TRY(save(pending_ ? kPendingFile : kConfirmedFile, *in_force, pending_.has_value()));
  }
  return std::optional<Drift>(std::move(drift));
}

std::optional<std::int64_t> FirewallState::confirmed_version() const {
  if (!confirmed_) return std::nullopt;
  return confirmed_->release.version;
}

std::optional<std::int64_t> FirewallState::pending_version() const {
  if (!pending_) return std::nullopt;
  return pending_->release.version;
}

}  // namespace sentinel::agent::firewall
