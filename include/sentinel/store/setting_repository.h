#pragma once
// Runtime settings editable through the API, as text values under dotted keys (table settings).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// SQL access to settings over one connection. Not thread-safe.
class SettingRepository {
 public:
  explicit SettingRepository(Connection& connection) : connection_(connection) {}

  Result<std::optional<std::string>> get(std::string_view key);
  Status put(std::string_view key, std::string_view value, std::int64_t now_ms);

 private:
  Connection& connection_;
};

}  // namespace sentinel::store
