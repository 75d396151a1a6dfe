#include "sentinel/store/setting_repository.h"

namespace sentinel::store {

Result<std::optional<std::string>> SettingRepository::get(std::string_view key) {
  SENTINEL_ASSIGN(
      rows, connection_.query("SELECT value FROM settings WHERE key = $1", {std::string(key)}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows.front().text(0));
}

Status SettingRepository::put(std::string_view key, std::string_view value, std::int64_t now_ms) {
  SENTINEL_TRY(connection_.execute(
      "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO "
      "UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
      {std::string(key), std::string(value), now_ms}));
  return ok();
}

}  // namespace sentinel::store
