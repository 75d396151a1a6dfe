#pragma once
// The sd-journal functions the journal reader uses, from libsystemd loaded at run time. Linked
// normally, libsystemd and what it pulls in (libgcrypt, liblzma, libzstd, liblz4, libcap) would
// be mapped into every agent, about 0.8 MB of its resident memory; loaded on first use, only
// agents with logs.journal on carry them.

#include <systemd/sd-journal.h>

#include "sentinel/common/result.h"

namespace sentinel::agent::logs {

/// Pointers to the libsystemd functions of the same names (sd_journal_open -> open, ...).
struct JournalApi {
  decltype(&sd_journal_open) open = nullptr;
  decltype(&sd_journal_open_directory) open_directory = nullptr;
  decltype(&sd_journal_open_files) open_files = nullptr;
  decltype(&sd_journal_close) close = nullptr;
  decltype(&sd_journal_set_data_threshold) set_data_threshold = nullptr;
  decltype(&sd_journal_get_fd) get_fd = nullptr;
  decltype(&sd_journal_process) process = nullptr;
  decltype(&sd_journal_seek_cursor) seek_cursor = nullptr;
  decltype(&sd_journal_seek_head) seek_head = nullptr;
  decltype(&sd_journal_seek_tail) seek_tail = nullptr;
  decltype(&sd_journal_previous) previous = nullptr;
  decltype(&sd_journal_next) next = nullptr;
  decltype(&sd_journal_test_cursor) test_cursor = nullptr;
  decltype(&sd_journal_get_realtime_usec) get_realtime_usec = nullptr;
  decltype(&sd_journal_get_data) get_data = nullptr;
  decltype(&sd_journal_get_cursor) get_cursor = nullptr;
};

/// Loads libsystemd.so.0 on the first call and returns its functions; kUnavailable saying why
/// when it is not installed or lacks one of them. Thread-safe. Call it before the process confines
/// itself (the watcher's seccomp filter and dropped privileges may not allow loading a library):
/// the agent does so before it starts a watcher that reads the journal.
Result<const JournalApi*> journal_api();

}  // namespace sentinel::agent::logs
