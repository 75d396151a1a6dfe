#pragma once
// A loopback TCP port that was free a moment ago, for servers that must keep their port across
// restarts (port 0 would give a new one each time).

#include "sentinel/common/result.h"

namespace sentinel::test {

/// Binds 127.0.0.1:0, reads the port, closes. Racy by nature; fine for tests.
Result<int> free_port();

}  // namespace sentinel::test
