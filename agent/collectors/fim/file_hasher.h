#pragma once
// SHA-256 of files, on the caller's thread (FileHasher) or on a few threads of their own
// (HashPool) so that a check of /usr reads and hashes on every core it is given.

#include <openssl/evp.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/collectors/fim/file_state.h"
#include "sentinel/common/result.h"

namespace sentinel::agent::fim {

/// Hashes files with one reusable buffer and digest context. Not thread-safe: one per thread.
class FileHasher {
 public:
  /// Reads in pieces of `buffer_bytes`.
  explicit FileHasher(std::size_t buffer_bytes = 1 << 20);
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  /// The state of the regular file at `path` (fstat of what was opened) with its SHA-256. The
  /// open follows no symlink and does not block on a FIFO put in the file's place. kNotFound
  /// when it is gone, kPermissionDenied when it may not be read, kConflict when it is no longer
  /// a regular file, kInternal for a read error.
  Result<FileState> hash_file(const std::string& path);

 private:
  std::unique_ptr<char[]> buffer_;
  std::size_t buffer_bytes_;
  EVP_MD* digest_ = nullptr;  // fetched once: an implicit fetch per file costs as much as
                              // hashing a small file
  EVP_MD_CTX* context_ = nullptr;
  bool try_noatime_ = true;  // O_NOATIME needs ownership or CAP_FOWNER; dropped after EPERM
};

/// The SHA-256 of symlink `path`'s target text; kNotFound when it is gone, kConflict when it is
/// no longer a symlink.
Result<std::string> hash_symlink(const std::string& path);

/// A file to hash for a check: `after` is its lstat state, `before` what the baseline holds.
struct HashJob {
  std::uint64_t scan = 0;  // which scan asked, to count what it still waits for
  std::string path;
  std::optional<FileState> before;
  FileState after;
};

/// A hashed job: `job.after` replaced by the state read with its digest, or `error` set (and
/// `job.after` left as it was).
struct HashResult {
  HashJob job;
  std::optional<Error> error;
};

/// A fixed set of threads that hash the files submitted to it. Thread-safe; the owner submits
/// and takes results from one thread. The destructor stops the threads (jobs not started are
/// dropped) and joins them.
class HashPool {
 public:
  HashPool(int threads, std::size_t buffer_bytes);
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  /// Queues a job. The queue is unbounded: the caller bounds the jobs it has in flight.
  void submit(HashJob job);
  /// Moves finished results to `out`, first waiting until `deadline` for `at_least` of them
  /// to be ready (waking once for many saves a context switch per file). Returns whether it
  /// moved any.
  bool take(std::vector<HashResult>& out, std::chrono::steady_clock::time_point deadline,
            std::size_t at_least = 1);
  /// Files read whole since the start.
  std::int64_t files_hashed() const;

 private:
  void work();

  mutable std::mutex mutex_;
  std::condition_variable job_ready_;
  std::condition_variable result_ready_;
  std::deque<HashJob> jobs_;
  std::vector<HashResult> results_;
  std::int64_t files_hashed_ = 0;
  std::size_t wanted_ = SIZE_MAX;  // results the owner waits for; SIZE_MAX: it does not wait
  bool stopping_ = false;
  std::size_t buffer_bytes_;
  std::vector<std::thread> threads_;
};

}  // namespace sentinel::agent::fim
