// The "sessions" section: login records of the utmp file, read as records of the C library's
// struct utmp (getutxent keeps global state and locks the file; this is a plain read).

#include <utmp.h>

#include <algorithm>
#include <cstring>

#include "agent/collectors/inventory/collectors.h"
#include "agent/collectors/inventory/parsers.h"
#include "agent/collectors/inventory/system_files.h"

namespace sentinel::agent::inventory {
namespace {

constexpr std::size_t kMaxUtmpBytes = 16u << 20;

// A fixed-size char field, which is NUL-terminated only when shorter than the field.
template <std::size_t N>
std::string field_text(const char (&field)[N]) {
  return json_safe_text(std::string_view(field, ::strnlen(field, N)));
}

}  // namespace

std::vector<UtmpSession> parse_utmp(std::string_view bytes) {
  std::vector<UtmpSession> sessions;
  for (std::size_t offset = 0; offset + sizeof(utmp) <= bytes.size(); offset += sizeof(utmp)) {
    utmp record{};
    std::memcpy(&record, bytes.data() + offset, sizeof record);
    if (record.ut_type != USER_PROCESS) continue;
    sessions.push_back({field_text(record.ut_user), field_text(record.ut_line),
                        field_text(record.ut_host), static_cast<std::int64_t>(record.ut_tv.tv_sec),
                        static_cast<std::int64_t>(record.ut_pid)});
  }
  return sessions;
}

Result<boost::json::array> collect_sessions(const SystemRoots& roots) {
  auto bytes = read_file(roots.utmp, kMaxUtmpBytes);
  if (!bytes) {
    // No utmp file: nobody has logged in through a utmp-writing service (containers, systemd
    // without it).
    if (bytes.error().code == ErrorCode::kNotFound) return boost::json::array();
    return std::move(bytes).error();
  }
  boost::json::array items;
  for (const UtmpSession& session : parse_utmp(*bytes)) {
    if (session.user.empty()) continue;
    // A login whose process is gone left a stale record (a crash); `who` skips those too.
    std::error_code error;
    if (session.pid > 0 &&
        !std::filesystem::exists(roots.proc / std::to_string(session.pid), error)) {
      continue;
    }
    items.emplace_back(
        boost::json::object{{"user", session.user},
                            {"tty", session.tty},
                            {"host", session.host},
                            {"login_time", std::max<std::int64_t>(0, session.login_time)},
                            {"pid", std::max<std::int64_t>(0, session.pid)}});
  }
  return items;
}

}  // namespace sentinel::agent::inventory
