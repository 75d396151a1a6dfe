#include "agent/collectors/logs/journal_api.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace sentinel::agent::logs {
namespace {

constexpr const char* kLibrary = "libsystemd.so.0";

Result<JournalApi> load() {
  // Never unloaded: the pointers stay valid for the life of the process.
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    return unavailable(std::string("cannot load ") + kLibrary +
                       " for the systemd journal: " + (why != nullptr ? why : "unknown error"));
  }
  JournalApi api;
  std::string missing;
  const auto bind = [&](auto& pointer, const char* name) {
    pointer = reinterpret_cast<std::remove_reference_t<decltype(pointer)>>(::dlsym(library, name));
    if (pointer == nullptr) missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  bind(api.open, "sd_journal_open");
  bind(api.open_directory, "sd_journal_open_directory");
  bind(api.open_files, "sd_journal_open_files");
  bind(api.close, "sd_journal_close");
  bind(api.set_data_threshold, "sd_journal_set_data_threshold");
  bind(api.get_fd, "sd_journal_get_fd");
  bind(api.process, "sd_journal_process");
  bind(api.seek_cursor, "sd_journal_seek_cursor");
  bind(api.seek_head, "sd_journal_seek_head");
  bind(api.seek_tail, "sd_journal_seek_tail");
  bind(api.previous, "sd_journal_previous");
  bind(api.next, "sd_journal_next");
  bind(api.test_cursor, "sd_journal_test_cursor");
  bind(api.get_realtime_usec, "sd_journal_get_realtime_usec");
  bind(api.get_data, "sd_journal_get_data");
  bind(api.get_cursor, "sd_journal_get_cursor");
  if (!missing.empty()) {
    return unavailable(std::string(kLibrary) + " lacks " + missing + " (too old a systemd)");
  }
  return api;
}

}  // namespace

Result<const JournalApi*> journal_api() {
  static const Result<JournalApi> loaded = load();
  if (!loaded) return loaded.error();
  return &*loaded;
}

}  // namespace sentinel::agent::logs
