// The "users" and "groups" sections: the local account files (not NSS: directory users are not
// local accounts, and NSS modules would load code into the confined collector).

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"
#include "sentinel/inventory/sections.h"

namespace sentinel::agent::inventory {
namespace {

std::vector<std::string_view> split_at(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t end = text.find(separator);
    parts.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return parts;
}

// The lines of an account file that can be entries: not blank, not comments, not NIS markers.
std::vector<std::string_view> entry_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::string_view line : split_lines(text)) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-') {
      continue;
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> entries;
  for (std::string_view line : entry_lines(text)) {
    const auto fields = split_at(line, ':');
    if (fields.size() != 7 || fields[0].empty()) continue;
    const auto uid = parse_integer(fields[2]);
    const auto gid = parse_integer(fields[3]);
    if (!uid || !gid) continue;
    entries.push_back(
        {std::string(fields[0]), *uid, *gid, std::string(fields[5]), std::string(fields[6])});
  }
  return entries;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> entries;
  for (std::string_view line : entry_lines(text)) {
    const auto fields = split_at(line, ':');
    if (fields.size() != 4 || fields[0].empty()) continue;
    const auto gid = parse_integer(fields[2]);
    if (!gid) continue;
    GroupEntry entry{std::string(fields[0]), *gid, {}};
    if (!fields[3].empty()) {
      for (std::string_view member : split_at(fields[3], ',')) {
        if (!trim(member).empty()) entry.members.emplace_back(trim(member));
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::map<std::int64_t, std::string> user_names(const std::vector<PasswdEntry>& users) {
  std::map<std::int64_t, std::string> names;
  for (const PasswdEntry& user : users) names.emplace(user.uid, user.name);
  return names;
}

Result<boost::json::array> collect_users(const SystemRoots& roots) {
  SENTINEL_ASSIGN(text, read_file(roots.etc / "passwd"));
  boost::json::array items;
  for (const PasswdEntry& user : parse_passwd(text)) {
    items.emplace_back(boost::json::object{{"name", json_safe_text(user.name)},
                                           {"uid", user.uid},
                                           {"gid", user.gid},
                                           {"home", json_safe_text(user.home)},
                                           {"shell", json_safe_text(user.shell)}});
  }
  return items;
}

Result<boost::json::array> collect_groups(const SystemRoots& roots) {
  SENTINEL_ASSIGN(text, read_file(roots.etc / "group"));
  boost::json::array items;
  for (const GroupEntry& group : parse_group(text)) {
    boost::json::array members;
    for (const std::string& member : group.members) {
      if (members.size() < sentinel::inventory::kMaxItemListEntries)
        members.emplace_back(json_safe_text(member));
    }
    items.emplace_back(boost::json::object{
        {"name", json_safe_text(group.name)}, {"gid", group.gid}, {"members", std::move(members)}});
  }
  return items;
}

}  // namespace sentinel::agent::inventory
