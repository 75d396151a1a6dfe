#include "agent/collectors/logs/file_position.h"

#include <charconv>
#include <string>

namespace sentinel::agent::logs {
namespace {

template <typename T>
bool parse_number(std::string_view text, T& value, int base) {
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::uint64_t fingerprint_of(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string to_string(const FilePosition& position) {
  char hex[17];
  const auto result = std::to_chars(hex, hex + sizeof hex, position.fingerprint, 16);
  return std::to_string(position.device) + ':' + std::to_string(position.inode) + ':' +
         std::to_string(position.offset) + ':' + std::to_string(position.fingerprint_length) + ':' +
         std::string(hex, result.ptr);
}

Result<FilePosition> parse_file_position(std::string_view text) {
  static constexpr const char* kParts[] = {"device", "inode", "offset", "fingerprint_length",
                                           "fingerprint"};
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    const std::size_t colon = text.find(':');
    if ((colon == std::string_view::npos) != (i == 4)) {
      return invalid_argument("file position must be dev:inode:offset:length:fingerprint",
                              "position");
    }
    parts[i] = text.substr(0, colon);
    if (colon != std::string_view::npos) text.remove_prefix(colon + 1);
  }
  FilePosition position;
  const bool parsed[] = {parse_number(parts[0], position.device, 10),
                         parse_number(parts[1], position.inode, 10),
                         parse_number(parts[2], position.offset, 10),
                         parse_number(parts[3], position.fingerprint_length, 10),
                         parse_number(parts[4], position.fingerprint, 16)};
  for (int i = 0; i < 5; ++i) {
    if (!parsed[i]) {
      return invalid_argument(std::string("file position: ") + kParts[i] + " is not a number",
                              std::string("position.") + kParts[i]);
    }
  }
  if (position.fingerprint_length > kFingerprintBytes) {
    return invalid_argument(
        "file position: fingerprint_length exceeds " + std::to_string(kFingerprintBytes),
        "position.fingerprint_length");
  }
  return position;
}

}  // namespace sentinel::agent::logs
