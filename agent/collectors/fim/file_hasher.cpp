#include "agent/collectors/fim/file_hasher.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "sentinel/common/crypto.h"

namespace sentinel::agent::fim {
namespace {

Error errno_error(const std::string& path, std::string_view what, int error) {
  std::string message = path + ": " + std::string(what) + ": " + std::strerror(error);
  if (error == ENOENT || error == ENOTDIR) return not_found(std::move(message));
  if (error == EACCES || error == EPERM) return permission_denied(std::move(message));
  if (error == ELOOP || error == ENXIO || error == EISDIR) return conflict(std::move(message));
  return internal_error(std::move(message));
}

/// Closes a descriptor on every path out of a function.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string hex(const unsigned char* bytes, unsigned int size) {
  return crypto::to_hex(std::string_view(reinterpret_cast<const char*>(bytes), size));
}

}  // namespace

FileHasher::FileHasher(std::size_t buffer_bytes)
    : buffer_(new char[buffer_bytes]),
      buffer_bytes_(buffer_bytes),
      digest_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      context_(EVP_MD_CTX_new()) {}

FileHasher::~FileHasher() {
  EVP_MD_CTX_free(context_);
  EVP_MD_free(digest_);
}

Result<FileState> FileHasher::hash_file(const std::string& path) {
  if (digest_ == nullptr || context_ == nullptr) return internal_error("SHA-256 is unavailable");
  constexpr int kFlags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
  int fd = -1;
  if (try_noatime_) {
    fd = ::open(path.c_str(), kFlags | O_NOATIME);
    if (fd < 0 && errno == EPERM) try_noatime_ = false;
  }
  if (fd < 0) fd = ::open(path.c_str(), kFlags);
  if (fd < 0) return errno_error(path, "open", errno);
  const FileDescriptor file(fd);
  struct stat info {};
  if (::fstat(fd, &info) != 0) return errno_error(path, "fstat", errno);
  if (!S_ISREG(info.st_mode)) return conflict(path + ": no longer a regular file");
  // Read-ahead matters only for files larger than one read.
  if (static_cast<std::size_t>(info.st_size) > buffer_bytes_) {
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  if (EVP_DigestInit_ex(context_, digest_, nullptr) != 1) {
    return internal_error("SHA-256 initialisation failed");
  }
  for (;;) {
    const ssize_t count = ::read(fd, buffer_.get(), buffer_bytes_);
    if (count == 0) break;
    if (count < 0) {
      if (errno == EINTR) continue;
      return errno_error(path, "read", errno);
    }
    EVP_DigestUpdate(context_, buffer_.get(), static_cast<std::size_t>(count));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context_, digest, &size);
  FileState state = state_from_stat(info);
  state.sha256 = hex(digest, size);
  return state;
}

Result<std::string> hash_symlink(const std::string& path) {
  char target[PATH_MAX];
  const ssize_t size = ::readlink(path.c_str(), target, sizeof target);
  if (size < 0) {
    if (errno == EINVAL) return conflict(path + ": no longer a symlink");
    return errno_error(path, "readlink", errno);
  }
  return crypto::sha256_hex(std::string_view(target, static_cast<std::size_t>(size)));
}

HashPool::HashPool(int threads, std::size_t buffer_bytes) : buffer_bytes_(buffer_bytes) {
  threads_.reserve(static_cast<std::size_t>(threads));
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

HashPool::~HashPool() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  job_ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void HashPool::submit(HashJob job) {
  {
    const std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  job_ready_.notify_one();
}

bool HashPool::take(std::vector<HashResult>& out, std::chrono::steady_clock::time_point deadline,
                    std::size_t at_least) {
  std::unique_lock lock(mutex_);
  // A deadline already passed means "do not wait": a timed wait would still cost a futex call.
  if (results_.size() < at_least && deadline > std::chrono::steady_clock::now()) {
    wanted_ = at_least;
    result_ready_.wait_until(lock, deadline, [&] { return results_.size() >= at_least; });
    wanted_ = SIZE_MAX;
  }
  if (results_.empty()) return false;
  for (HashResult& result : results_) out.push_back(std::move(result));
  results_.clear();
  return true;
}

std::int64_t HashPool::files_hashed() const {
  const std::lock_guard lock(mutex_);
  return files_hashed_;
}

void HashPool::work() {
  FileHasher hasher(buffer_bytes_);
  for (;;) {
    HashJob job;
    {
      std::unique_lock lock(mutex_);
      job_ready_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    HashResult result;
    auto hashed = hasher.hash_file(job.path);
    if (hashed) {
      job.after = std::move(*hashed);
    } else {
      result.error = std::move(hashed).error();
    }
    result.job = std::move(job);
    bool wake = false;
    {
      const std::lock_guard lock(mutex_);
      if (!result.error) ++files_hashed_;
      results_.push_back(std::move(result));
      wake = results_.size() >= wanted_;
    }
    if (wake) result_ready_.notify_one();
  }
}

}  // namespace sentinel::agent::fim
