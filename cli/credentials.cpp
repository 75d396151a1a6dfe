#include "credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "output.h"

namespace sentinel::ctl {
namespace {

namespace json = boost::json;

Error file_error(std::string_view doing, const std::filesystem::path& path) {
  return internal_error("cannot " + std::string(doing) + " " + path.string() + ": " +
                        std::strerror(errno));
}

}  // namespace

std::filesystem::path default_credentials_path() {
  const char* dir = std::getenv("SENTINEL_CONFIG_DIR");
  if (dir != nullptr && *dir != '\0') return std::filesystem::path(dir) / "credentials.json";
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  if (xdg != nullptr && *xdg != '\0')
    return std::filesystem::path(xdg) / "sentinel/credentials.json";
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : ".") / ".config/sentinel/credentials.json";
}

Result<std::optional<Credentials>> load_credentials(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return std::optional<Credentials>();
  std::ifstream in(path);
  if (!in) return file_error("read", path);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  const json::value parsed = json::parse(text.str(), ec);
  if (ec || !parsed.is_object()) {
    return invalid_argument(path.string() +
                            " is not a credentials file (run `sentinelctl login` again)");
  }
  const auto& object = parsed.as_object();
  Credentials credentials{text_field(object, "server"), Secret(text_field(object, "token")),
                          text_field(object, "token_id"), text_field(object, "username"),
                          text_field(object, "ca_file")};
  return std::optional<Credentials>(std::move(credentials));
}

Status save_credentials(const std::filesystem::path& path, const Credentials& credentials) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    return internal_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  ::chmod(path.parent_path().c_str(), 0700);
  const json::object document{{"server", credentials.server},
                              {"token", credentials.token.reveal()},
                              {"token_id", credentials.token_id},
                              {"username", credentials.username},
                              {"ca_file", credentials.ca_file}};
  const std::string text = json::serialize(document) + "\n";
  const std::filesystem::path temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return file_error("write", temporary);
  const bool written = ::fchmod(fd, 0600) == 0 &&
                       ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                       ::fsync(fd) == 0;
  if (!written) {
    const Error failure = file_error("write", temporary);
    ::close(fd);
    ::unlink(temporary.c_str());
    return failure;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const Error failure = file_error("rename to", path);
    ::unlink(temporary.c_str());
    return failure;
  }
  return ok();
}

Status remove_credentials(const std::filesystem::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return file_error("delete", path);
  return ok();
}

}  // namespace sentinel::ctl
