#pragma once
// The serving side of the bed: one listening socket per planned (address, port), an accept loop
// each, and a bounded number of connections served at once, all on one I/O thread.

#include <cstddef>
#include <memory>

#include "sentinel/common/result.h"
#include "tests/scanbed/bed_plan.h"
#include "tests/scanbed/connection.h"

namespace sentinel::scanbed {

/// Bounds that keep a scanner (or an attacker) from exhausting the bed.
struct BedLimits {
  ConnectionLimits service;                                        // for the emulated services
  ConnectionLimits hostile{std::chrono::seconds(300), 64 * 1024};  // for the hostile listeners
  std::size_t max_connections = 8192;  // served at once; more are closed on accept
};

/// Binds and serves a BedPlan. Not thread-safe: create, then run on one thread.
class BedServer {
 public:
  /// Binds every listener of `plan` (which must outlive the server) and makes the TLS identity.
  /// kUnavailable naming the address and port when one cannot be bound.
  static Result<std::unique_ptr<BedServer>> create(const BedPlan& plan, const BedLimits& limits);
  ~BedServer();

  /// Listening sockets bound (all of them, once create() succeeded).
  std::size_t listener_count() const;
  /// Serves until SIGINT or SIGTERM.
  void run();

  /// The server's sockets and I/O context; opaque, defined in bed_server.cpp.
  struct State;

 private:
  explicit BedServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace sentinel::scanbed
