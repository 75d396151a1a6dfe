#pragma once
// The lifecycle every server service shares.

#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::server {

/// start: acquire resources and begin serving; drain: refuse new work, finish in-flight work;
/// stop: release everything. Called in that order from the main thread.
class Service {
 public:
  virtual ~Service() = default;
  virtual std::string_view name() const = 0;
  virtual Status start() = 0;
  virtual void drain() {}
  virtual void stop() = 0;
};

}  // namespace sentinel::server
