// scan_worker_test_image: the scan worker image the unit tests start (the agent's binary is not
// built in the sanitizer build). argv[1] says what the worker does once confined by the agent's
// own scan_worker_main: "scan-worker" runs the agent's worker (run_scan_worker), the others
// misbehave or report on the image for scan_worker_test.cpp.

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "agent/sandbox/worker_stream.h"
#include "agent/scan/scan_worker.h"
#include "tests/unit/agent/scan/worker_image_report.h"

namespace {

using sentinel::agent::InProcessShardEngine;

// Takes the shard and says it scans, as a worker does before its first event; false when the
// agent's end is gone.
bool answer_as_scanning(int fd) {
  using namespace sentinel::agent;
  return read_frame(fd, std::nullopt) &&
         write_frame(
             fd, encode_response(boost::json::object{{"method", "connect"}, {"reason", "test"}}));
}

// Takes the shard, says it scans, then makes a call outside its profile.
int exec_after_answering(int fd, InProcessShardEngine&) {
  if (!answer_as_scanning(fd)) return 1;
  const char* argv[] = {"/bin/true", nullptr};
  char* const environment[] = {nullptr};
  ::execve("/bin/true", const_cast<char* const*>(argv), environment);
  return 0;
}

// Dies before it answers: a socket family no scan needs.
int bluetooth_socket(int, InProcessShardEngine&) {
  return ::socket(AF_BLUETOOTH, SOCK_RAW, 0) >= 0 ? 0 : 1;
}

// Takes the shard, says it scans, then loops without end (a worker stuck in a loop).
int spin_after_answering(int fd, InProcessShardEngine&) {
  if (!answer_as_scanning(fd)) return 1;
  volatile std::uint64_t turns = 0;
  while (true) turns = turns + 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sentinel::agent;
  const std::string_view mode = argc >= 2 ? argv[1] : "";
  std::vector<std::string_view> rest(argv + std::min(argc, 2), argv + argc);
  if (mode == "scan-worker") scan_worker_main(rest, run_scan_worker);
  if (mode == "exec-after-answering") scan_worker_main(rest, exec_after_answering);
  if (mode == "bluetooth-socket") scan_worker_main(rest, bluetooth_socket);
  if (mode == "spin-after-answering") scan_worker_main(rest, spin_after_answering);
  if (mode == "report-image" && !rest.empty()) {
    const std::string_view marker_hex = rest.front();
    rest.erase(rest.begin());
    scan_worker_main(rest, [marker_hex](int fd, InProcessShardEngine&) {
      return test::report_worker_image(fd, marker_hex);
    });
  }
  return 2;
}
