#include "tests/unit/agent/scan/worker_image_report.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>

#include "agent/sandbox/worker_stream.h"

extern char** environ;

namespace sentinel::agent::test {
namespace {

std::string read_file(const char* path) {
  std::string out;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buffer[8192];
  ssize_t n = 0;
  while ((n = ::read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Copies of `needle` in [at, stop) other than `needle` itself. Reads memory this process never
// allocated as such (a sanitizer's redzones among it), so it is neither instrumented nor made of
// library calls a sanitizer intercepts.
__attribute__((no_sanitize("address", "undefined"))) std::size_t copies_in_range(
    const char* at, const char* const stop, const std::string& needle) {
  const char* const wanted = needle.data();
  const std::size_t size = needle.size();
  std::size_t copies = 0;
  for (; at + size <= stop; ++at) {
    if (*at != wanted[0] || at == wanted) continue;
    std::size_t i = 1;
    while (i < size && at[i] == wanted[i]) ++i;
    if (i == size) ++copies;
  }
  return copies;
}

// Copies of `needle` in the anonymous mappings, heap and stack, other than `needle` itself.
// Regions larger than 256 MiB (the sanitizer's shadow, reserved, not used) are left out.
std::size_t copies_in_memory(const std::string& needle) {
  std::size_t copies = 0;
  std::istringstream maps(read_file("/proc/self/maps"));
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms >> offset >> device >> inode;
    std::getline(fields >> std::ws, path);
    if (perms.empty() || perms[0] != 'r') continue;
    if (!path.empty() && path != "[heap]" && path != "[stack]") continue;
    const std::size_t dash = range.find('-');
    const auto begin = std::stoull(range.substr(0, dash), nullptr, 16);
    const auto end = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (end - begin > (256ULL << 20)) continue;
    copies += copies_in_range(reinterpret_cast<const char*>(begin),
                              reinterpret_cast<const char*>(end), needle);
  }
  return copies;
}

std::string cap_eff() {
  std::istringstream status(read_file("/proc/self/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      std::istringstream value(line.substr(7));
      std::string hex;
      value >> hex;
      return hex;
    }
  }
  return "";
}

}  // namespace

int report_worker_image(int fd, std::string_view marker_hex) {
  if (!read_frame(fd, std::nullopt)) return 1;
  // Decoded in place, once: the only copy this process makes, left out of the count.
  std::string marker;
  marker.reserve(marker_hex.size() / 2);
  for (std::size_t i = 0; i + 1 < marker_hex.size(); i += 2) {
    const int high = hex_value(marker_hex[i]);
    const int low = hex_value(marker_hex[i + 1]);
    if (high < 0 || low < 0) return 1;
    marker.push_back(static_cast<char>(high * 16 + low));
  }
  if (marker.size() < 16) return 1;
  std::size_t environment = 0;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) ++environment;
  const boost::json::object report{{"marker_copies", copies_in_memory(marker)},
                                   {"environment", environment},
                                   {"secret_variable", std::getenv(kSecretVariable) != nullptr},
                                   {"cap_eff", cap_eff()}};
  if (!write_frame(fd, encode_response(boost::json::object{
                           {"method", "connect"}, {"reason", boost::json::serialize(report)}}))) {
    return 1;
  }
  while (read_frame(fd, std::nullopt)) {
  }
  return 0;
}

}  // namespace sentinel::agent::test
