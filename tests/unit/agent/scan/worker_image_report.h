#pragma once
// What a scan worker can see of the process image it runs in, for the test that proves the
// worker is started from a clean image (scan_worker_test.cpp): compiled into unit_tests (where a
// plain fork runs it, the control) and into the test worker image (where the exec'd worker runs
// it). Not part of the agent.

#include <string_view>

namespace sentinel::agent::test {

/// The environment variable the test sets in its own process before it starts a worker.
inline constexpr const char* kSecretVariable = "SENTINEL_TEST_WORKER_SECRET";

/// A worker body: reads one frame, then answers {"method": "connect", "reason": REPORT} where
/// REPORT is the JSON text {"marker_copies": copies of the marker (given as hex, so that this
/// process's arguments do not hold it) in this process's anonymous memory and heap,
/// "environment": entries in environ, "secret_variable": whether kSecretVariable is set,
/// "cap_eff": the CapEff of /proc/self/status}; then waits until the agent closes its end.
int report_worker_image(int fd, std::string_view marker_hex);

}  // namespace sentinel::agent::test
