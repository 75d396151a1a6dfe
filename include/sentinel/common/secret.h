#pragma once
// A string that must never reach a log: passwords, tokens, keys.

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>

namespace sentinel {

/// Holds a secret value; formatting or streaming it prints "[redacted]". Read it with reveal().
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

inline std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "[redacted]"; }

}  // namespace sentinel

template <>
struct fmt::formatter<sentinel::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sentinel::Secret&, Context& ctx) const {
    return fmt::formatter<std::string_view>::format("[redacted]", ctx);
  }
};
