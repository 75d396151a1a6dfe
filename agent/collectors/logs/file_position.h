#pragma once
// Where a file tailer stands in one file, in a form that survives a restart: which file (device,
// inode and a fingerprint of its first bytes, since inodes are reused) and how far it has read.

#include <cstdint>
#include <string>
#include <string_view>

#include "sentinel/common/result.h"

namespace sentinel::agent::logs {

/// How many leading bytes of a file its fingerprint covers.
inline constexpr std::uint32_t kFingerprintBytes = 512;

/// A position in one file: `offset` is just past the last line handed on. A plain value.
struct FilePosition {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t offset = 0;
  /// How many leading bytes `fingerprint` hashes: min(file size, kFingerprintBytes) when last
  /// looked at. 0 matches any file.
  std::uint32_t fingerprint_length = 0;
  /// FNV-1a (64-bit) of those bytes.
  std::uint64_t fingerprint = 0;

  friend bool operator==(const FilePosition&, const FilePosition&) = default;
};

/// FNV-1a 64 of `bytes`: the fingerprint function, stable across builds and hosts.
std::uint64_t fingerprint_of(std::string_view bytes);

/// "dev:inode:offset:fingerprint_length:fingerprint_hex", for a checkpoint record.
std::string to_string(const FilePosition& position);

/// The inverse of to_string; kInvalidArgument naming the part that is wrong.
Result<FilePosition> parse_file_position(std::string_view text);

}  // namespace sentinel::agent::logs
