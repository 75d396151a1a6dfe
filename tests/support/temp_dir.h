#pragma once
// A temporary directory for one test, removed with everything in it on destruction.

#include <filesystem>
#include <string_view>

namespace sentinel::test {

/// Owns a fresh directory PREFIX-XXXXXX (mode 0700) under the system temp dir (TMPDIR).
/// Movable, not copyable. Test-only: throws std::system_error when the directory cannot be
/// created, which GoogleTest reports as a failure of the running test.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "sentinel-test");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&& other) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

 private:
  void remove();

  std::filesystem::path path_;
};

}  // namespace sentinel::test
