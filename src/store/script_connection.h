#pragma once
// The internal extension both backends give their connections: running a multi-statement script.
// Only the migration runner needs it, so it stays out of the public interface.

#include <string_view>

#include "sentinel/store/database.h"

namespace sentinel::store {

/// A Connection that can also run several ';'-separated statements without parameters.
class ScriptConnection : public Connection {
 public:
  /// Runs every statement of `sql` in order; stops at the first failure.
  virtual Status execute_script(std::string_view sql) = 0;
};

}  // namespace sentinel::store
