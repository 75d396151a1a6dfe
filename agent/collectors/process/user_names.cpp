#include "agent/collectors/process/user_names.h"

#include <sys/stat.h>

#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::process {
namespace {

constexpr std::size_t kMaxPasswdBytes = 16u << 20;

}  // namespace

void UserNames::refresh() {
  struct stat info {};
  if (::stat(passwd_.c_str(), &info) != 0) {
    names_.clear();
    loaded_ = false;
    return;
  }
  const std::int64_t modified_ns =
      static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1'000'000'000 + info.st_mtim.tv_nsec;
  if (loaded_ && info.st_ino == inode_ && info.st_size == size_ && modified_ns == modified_ns_) {
    return;
  }
  names_.clear();
  for (auto& [uid, name] : inventory::user_names(inventory::parse_passwd(
           inventory::read_optional(passwd_, kMaxPasswdBytes).value_or("")))) {
    names_.emplace(uid, inventory::json_safe_text(name));
  }
  loaded_ = true;
  inode_ = info.st_ino;
  size_ = info.st_size;
  modified_ns_ = modified_ns;
}

const std::string* UserNames::find(std::int64_t uid) const {
  const auto name = names_.find(uid);
  return name == names_.end() ? nullptr : &name->second;
}

}  // namespace sentinel::agent::process
