#include "agent/spool/spool.h"

#include <fcntl.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <utility>

namespace sentinel::agent {
namespace {

constexpr int kSchemaVersion = 1;

// Every pending event is above every gap: drops take the oldest pending events and
// acknowledgements remove from the bottom, so gaps never lie between events.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS spool_events (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  data TEXT NOT NULL,
  bytes INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spool_gaps (
  from_seq INTEGER PRIMARY KEY,
  to_seq INTEGER NOT NULL,
  events INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  first_time_ms INTEGER NOT NULL,
  last_time_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS spool_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next_seq INTEGER NOT NULL,
  acked_seq INTEGER NOT NULL,
  dropped_events INTEGER NOT NULL,
  dropped_bytes INTEGER NOT NULL
);
INSERT OR IGNORE INTO spool_state VALUES (1, 1, 0, 0, 0);
)sql";

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};

/// A prepared statement, reset after each use so that it holds no read lock.
class Statement {
 public:
  Statement() = default;
  explicit Statement(sqlite3_stmt* statement) : statement_(statement) {}

  Statement& bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_.get(), index, value);
    return *this;
  }
  Statement& bind(int index, std::string_view value) {
    sqlite3_bind_text64(statement_.get(), index, value.data(), value.size(), SQLITE_TRANSIENT,
                        SQLITE_UTF8);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(statement_.get()); }
  std::int64_t integer(int column) { return sqlite3_column_int64(statement_.get(), column); }
  std::string text(int column) {
    const auto* bytes =
        reinterpret_cast<const char*>(sqlite3_column_text(statement_.get(), column));
    return std::string(bytes == nullptr ? "" : bytes,
                       static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), column)));
  }
  void reset() {
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
  }

 private:
  std::unique_ptr<sqlite3_stmt, StatementDeleter> statement_;
};

std::string utc_time(std::int64_t time_ms) {
  const std::time_t seconds = static_cast<std::time_t>(time_ms / 1000);
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(seconds));
}

/// Creates the file 0600, or tightens an existing one (and its WAL companions, which SQLite
/// creates with the database file's mode) to 0600.
Status prepare_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return internal_error(fmt::format("spool: cannot open {}: {}", path, std::strerror(errno)));
  }
  const int changed = ::fchmod(fd, 0600);
  const int error = errno;
  ::close(fd);
  if (changed != 0) {
    return internal_error(
        fmt::format("spool: cannot chmod 600 {}: {}", path, std::strerror(error)));
  }
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string companion = path + suffix;
    if (::chmod(companion.c_str(), 0600) != 0 && errno != ENOENT) {
      return internal_error(
          fmt::format("spool: cannot chmod 600 {}: {}", companion, std::strerror(errno)));
    }
  }
  return ok();
}

}  // namespace

struct Spool::State {
  /// Events the cap made the spool drop, for the warning once the drop is committed.
  struct Drop {
    protocol::SpoolGap gap;
    std::int64_t events = 0;
  };

  SpoolOptions options;
  std::shared_ptr<spdlog::logger> logger;
  mutable std::mutex mutex;
  sqlite3* db = nullptr;
  Statement insert_event;
  Statement update_state;
  SpoolStats stats;  // mirrors the database; changed only after a commit

  ~State() {
    insert_event = Statement();
    update_state = Statement();
    if (db != nullptr) sqlite3_close_v2(db);
  }

  Error sqlite_error(std::string_view what) const {
    const int code = sqlite3_errcode(db);
    std::string message = fmt::format("spool {}: {}: {}", options.path, what, sqlite3_errmsg(db));
    if (code == SQLITE_FULL) return unavailable(std::move(message));
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
      return unavailable(fmt::format("spool {}: in use by another process", options.path));
    }
    return internal_error(std::move(message));
  }

  Status exec(const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_error(sql);
    return ok();
  }

  Result<Statement> prepare(const char* sql, bool persistent = false) {
    sqlite3_stmt* statement = nullptr;
    const unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
    if (sqlite3_prepare_v3(db, sql, -1, flags, &statement, nullptr) != SQLITE_OK) {
      return sqlite_error("prepare");
    }
    return Statement(statement);
  }

  /// Runs a statement that returns no rows.
  Status run(Statement& statement, std::string_view what) {
    const int rc = statement.step();
    statement.reset();
    if (rc != SQLITE_DONE) return sqlite_error(what);
    return ok();
  }

  /// Writes `next` to the state row (inside the caller's transaction).
  Status store(const SpoolStats& next) {
    update_state.bind(1, next.next_seq)
        .bind(2, next.acked_seq)
        .bind(3, next.dropped_events_total)
        .bind(4, next.dropped_bytes_total);
    return run(update_state, "update state");
  }

  /// Runs `body` in one write transaction; the in-memory stats become `next` only if it
  /// committed, so that a failed append changes nothing, not even the next seq.
  template <typename Body>
  Status transaction(SpoolStats& next, Body body) {
    SENTINEL_TRY(exec("BEGIN IMMEDIATE"));
    Status done = body();
    if (done) done = store(next);
    if (done) done = exec("COMMIT");
    if (!done) {
      (void)exec("ROLLBACK");
      return done;
    }
    stats = next;
    return ok();
  }

  /// Drops the oldest pending events until `incoming` more bytes fit under the cap, recording
  /// them as a gap (merged with an adjacent one). Inside the caller's transaction.
  Status make_room(SpoolStats& next, std::int64_t incoming, std::optional<Drop>& dropped) {
    if (next.pending_bytes + incoming <= options.max_bytes) return ok();
    SENTINEL_ASSIGN(oldest, prepare("SELECT seq, time_ms, bytes FROM spool_events ORDER BY seq"));
    protocol::SpoolGap gap;
    std::int64_t events = 0;
    // Ends before running out of events: the caller checked that `incoming` fits the cap alone.
    while (next.pending_bytes + incoming > options.max_bytes) {
      const int rc = oldest.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        oldest.reset();
        return sqlite_error("select oldest");
      }
      if (events == 0) {
        gap.from_seq = oldest.integer(0);
        gap.first_time_ms = oldest.integer(1);
      }
      gap.to_seq = oldest.integer(0);
      gap.last_time_ms = oldest.integer(1);
      gap.dropped_bytes += oldest.integer(2);
      next.pending_bytes -= oldest.integer(2);
      next.pending_events -= 1;
      ++events;
    }
    oldest.reset();
    if (events == 0) return ok();
    SENTINEL_TRY(record_drop(next, gap, events));
    dropped = Drop{gap, events};
    return ok();
  }

  Status record_drop(SpoolStats& next, const protocol::SpoolGap& gap, std::int64_t events) {
    SENTINEL_ASSIGN(remove, prepare("DELETE FROM spool_events WHERE seq <= $1"));
    remove.bind(1, gap.to_seq);
    SENTINEL_TRY(run(remove, "drop oldest"));
    SENTINEL_ASSIGN(merge, prepare("UPDATE spool_gaps SET to_seq = $1, events = events + $2, "
                                   "bytes = bytes + $3, last_time_ms = $4 WHERE to_seq = $5"));
    merge.bind(1, gap.to_seq)
        .bind(2, events)
        .bind(3, gap.dropped_bytes)
        .bind(4, gap.last_time_ms)
        .bind(5, gap.from_seq - 1);
    SENTINEL_TRY(run(merge, "merge gap"));
    if (sqlite3_changes(db) == 0) {
      SENTINEL_ASSIGN(insert, prepare("INSERT INTO spool_gaps VALUES ($1, $2, $3, $4, $5, $6)"));
      insert.bind(1, gap.from_seq)
          .bind(2, gap.to_seq)
          .bind(3, events)
          .bind(4, gap.dropped_bytes)
          .bind(5, gap.first_time_ms)
          .bind(6, gap.last_time_ms);
      SENTINEL_TRY(run(insert, "insert gap"));
    }
    next.dropped_events_total += events;
    next.dropped_bytes_total += gap.dropped_bytes;
    return ok();
  }

  Result<std::vector<std::int64_t>> append(const std::vector<NewEvent>& events) {
    std::int64_t incoming = 0;
    for (const NewEvent& event : events) {
      incoming += static_cast<std::int64_t>(event.type.size() + event.data_json.size());
    }
    if (incoming > options.max_bytes) {
      return Error{ErrorCode::kPayloadTooLarge,
                   fmt::format("spool: {} bytes of events do not fit its cap of {} bytes", incoming,
                               options.max_bytes),
                   {},
                   {}};
    }
    SpoolStats next = stats;
    std::vector<std::int64_t> seqs;
    seqs.reserve(events.size());
    std::optional<Drop> dropped;
    SENTINEL_TRY(transaction(next, [&]() -> Status {
      SENTINEL_TRY(make_room(next, incoming, dropped));
      for (const NewEvent& event : events) {
        const auto bytes = static_cast<std::int64_t>(event.type.size() + event.data_json.size());
        insert_event.bind(1, next.next_seq)
            .bind(2, event.time_ms)
            .bind(3, event.type)
            .bind(4, event.data_json)
            .bind(5, bytes);
        SENTINEL_TRY(run(insert_event, "append"));
        seqs.push_back(next.next_seq);
        ++next.next_seq;
        ++next.pending_events;
        next.pending_bytes += bytes;
      }
      return ok();
    }));
    if (dropped) {
      logger->warn(
          "spool over its cap of {} bytes: dropped the {} oldest unsent events (seq {}..{}, {} "
          "bytes) recorded since {}; the server will be told of the gap",
          options.max_bytes, dropped->events, dropped->gap.from_seq, dropped->gap.to_seq,
          dropped->gap.dropped_bytes, utc_time(dropped->gap.first_time_ms));
    }
    return seqs;
  }

  /// Forgets everything <= seq (inside the caller's transaction).
  Status forget(SpoolStats& next, std::int64_t seq) {
    SENTINEL_ASSIGN(removed, prepare("SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM spool_events "
                                     "WHERE seq <= $1"));
    removed.bind(1, seq);
    if (removed.step() != SQLITE_ROW) return sqlite_error("count acknowledged");
    next.pending_events -= removed.integer(0);
    next.pending_bytes -= removed.integer(1);
    removed.reset();
    SENTINEL_ASSIGN(events, prepare("DELETE FROM spool_events WHERE seq <= $1"));
    events.bind(1, seq);
    SENTINEL_TRY(run(events, "acknowledge"));
    SENTINEL_ASSIGN(gaps, prepare("DELETE FROM spool_gaps WHERE to_seq <= $1"));
    gaps.bind(1, seq);
    SENTINEL_TRY(run(gaps, "acknowledge gaps"));
    // A gap the acknowledgement cuts through keeps only its unacknowledged part.
    SENTINEL_ASSIGN(clip, prepare("UPDATE spool_gaps SET from_seq = $1 + 1 WHERE from_seq <= $1"));
    clip.bind(1, seq);
    SENTINEL_TRY(run(clip, "acknowledge gaps"));
    next.acked_seq = seq;
    return ok();
  }

  Status load() {
    SENTINEL_ASSIGN(version, prepare("PRAGMA user_version"));
    if (version.step() != SQLITE_ROW) return sqlite_error("read schema version");
    const std::int64_t found = version.integer(0);
    version.reset();
    if (found > kSchemaVersion) {
      return Error{ErrorCode::kConflict,
                   fmt::format("spool {}: written by a newer agent (schema {}, this one knows {}); "
                               "move it away to start an empty spool",
                               options.path, found, kSchemaVersion),
                   {},
                   {}};
    }
    SENTINEL_TRY(exec("BEGIN IMMEDIATE"));
    Status created = exec(kSchema);
    if (created) created = exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str());
    if (created) created = exec("COMMIT");
    if (!created) {
      (void)exec("ROLLBACK");
      return created;
    }
    SENTINEL_ASSIGN(row, prepare("SELECT next_seq, acked_seq, dropped_events, dropped_bytes, "
                                 "(SELECT COUNT(*) FROM spool_events), "
                                 "(SELECT COALESCE(SUM(bytes), 0) FROM spool_events), "
                                 "(SELECT COALESCE(MAX(seq), 0) FROM spool_events) "
                                 "FROM spool_state WHERE id = 1"));
    if (row.step() != SQLITE_ROW) return sqlite_error("read state");
    stats.next_seq = row.integer(0);
    stats.acked_seq = row.integer(1);
    stats.dropped_events_total = row.integer(2);
    stats.dropped_bytes_total = row.integer(3);
    stats.pending_events = row.integer(4);
    stats.pending_bytes = row.integer(5);
    const std::int64_t max_seq = row.integer(6);
    row.reset();
    if (max_seq >= stats.next_seq) {
      // Cannot happen (both change in one transaction); never reuse a seq if it did.
      logger->error("spool {}: next_seq {} is not above the newest event {}; continuing after it",
                    options.path, stats.next_seq, max_seq);
      stats.next_seq = max_seq + 1;
    }
    SENTINEL_ASSIGN(insert, prepare("INSERT INTO spool_events (seq, time_ms, type, data, bytes) "
                                    "VALUES ($1, $2, $3, $4, $5)",
                                    true));
    insert_event = std::move(insert);
    SENTINEL_ASSIGN(update, prepare("UPDATE spool_state SET next_seq = $1, acked_seq = $2, "
                                    "dropped_events = $3, dropped_bytes = $4 WHERE id = 1",
                                    true));
    update_state = std::move(update);
    return ok();
  }
};

Spool::Spool(std::unique_ptr<State> state) : state_(std::move(state)) {}

Spool::~Spool() = default;

Result<std::unique_ptr<Spool>> Spool::open(SpoolOptions options) {
  if (options.path.empty()) return invalid_argument("spool path must not be empty", "path");
  if (options.max_bytes <= 0) {
    return invalid_argument("spool max_bytes must be positive", "max_bytes");
  }
  SENTINEL_TRY(prepare_file(options.path));
  auto state = std::make_unique<State>();
  state->logger = options.logger != nullptr ? options.logger : spdlog::default_logger();
  state->options = std::move(options);
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
  if (sqlite3_open_v2(state->options.path.c_str(), &state->db, flags, nullptr) != SQLITE_OK) {
    return state->sqlite_error("open");
  }
  // Exclusive locking: one agent per spool (a second one would reuse sequence numbers); it also
  // keeps the WAL index in memory, so that there is no -shm file.
  SENTINEL_TRY(state->exec("PRAGMA locking_mode = EXCLUSIVE"));
  SENTINEL_TRY(state->exec("PRAGMA journal_mode = WAL"));
  SENTINEL_TRY(state->exec(state->options.sync_full ? "PRAGMA synchronous = FULL"
                                                    : "PRAGMA synchronous = NORMAL"));
  SENTINEL_TRY(state->load());
  return std::unique_ptr<Spool>(new Spool(std::move(state)));
}

Result<std::int64_t> Spool::append(std::string_view type, std::string_view data_json,
                                   std::int64_t time_ms) {
  std::vector<NewEvent> events;
  events.push_back(NewEvent{std::string(type), std::string(data_json), time_ms});
  const std::lock_guard lock(state_->mutex);
  SENTINEL_ASSIGN(seqs, state_->append(events));
  return seqs.front();
}

Result<std::vector<std::int64_t>> Spool::append_batch(const std::vector<NewEvent>& events) {
  if (events.empty()) return std::vector<std::int64_t>();
  const std::lock_guard lock(state_->mutex);
  return state_->append(events);
}

Result<std::vector<SpoolItem>> Spool::read_from(std::int64_t from_seq, std::size_t max_events,
                                                std::size_t max_bytes) {
  const std::lock_guard lock(state_->mutex);
  State& state = *state_;
  std::vector<SpoolItem> items;
  SENTINEL_ASSIGN(gaps, state.prepare("SELECT from_seq, to_seq, bytes, first_time_ms, last_time_ms "
                                      "FROM spool_gaps WHERE to_seq >= $1 ORDER BY from_seq"));
  gaps.bind(1, from_seq);
  while (true) {
    const int rc = gaps.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return state.sqlite_error("read gaps");
    items.push_back(protocol::SpoolGap{.from_seq = std::max(from_seq, gaps.integer(0)),
                                       .to_seq = gaps.integer(1),
                                       .dropped_bytes = gaps.integer(2),
                                       .first_time_ms = gaps.integer(3),
                                       .last_time_ms = gaps.integer(4)});
  }
  gaps.reset();
  SENTINEL_ASSIGN(events, state.prepare("SELECT seq, time_ms, type, data, bytes FROM spool_events "
                                        "WHERE seq >= $1 ORDER BY seq LIMIT $2"));
  events.bind(1, from_seq).bind(2, static_cast<std::int64_t>(max_events));
  std::size_t bytes = 0;
  std::size_t count = 0;
  while (true) {
    const int rc = events.step();
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) return state.sqlite_error("read events");
    const auto size = static_cast<std::size_t>(events.integer(4));
    if (count > 0 && bytes + size > max_bytes) break;
    items.push_back(SpooledEvent{.seq = events.integer(0),
                                 .time_ms = events.integer(1),
                                 .type = events.text(2),
                                 .data_json = events.text(3)});
    bytes += size;
    ++count;
  }
  events.reset();
  return items;
}

Status Spool::acknowledge(std::int64_t seq) {
  const std::lock_guard lock(state_->mutex);
  State& state = *state_;
  if (seq <= state.stats.acked_seq) return ok();
  if (seq >= state.stats.next_seq) {
    return invalid_argument(fmt::format("acknowledged seq {} was never appended (the last is {})",
                                        seq, state.stats.next_seq - 1),
                            "seq");
  }
  SpoolStats next = state.stats;
  return state.transaction(next, [&] { return state.forget(next, seq); });
}

Status Spool::resume_at(std::int64_t server_next_seq) {
  if (server_next_seq < 1) return invalid_argument("next_seq must be at least 1", "next_seq");
  const std::lock_guard lock(state_->mutex);
  State& state = *state_;
  const SpoolStats current = state.stats;
  if (server_next_seq <= current.next_seq) {
    if (server_next_seq - 1 < current.acked_seq) {
      state.logger->warn(
          "spool {}: the server expects seq {} but events up to {} were acknowledged before; "
          "they are not sent again",
          state.options.path, server_next_seq, current.acked_seq);
      return ok();
    }
    if (server_next_seq - 1 == current.acked_seq) return ok();
    SpoolStats next = current;
    return state.transaction(next, [&] { return state.forget(next, server_next_seq - 1); });
  }
  // The server is ahead of everything this spool ever numbered: shift the pending events and
  // gaps so that the oldest gets server_next_seq (the shift exceeds their span, so the new
  // numbers never collide with old ones).
  const std::int64_t offset = server_next_seq - (current.acked_seq + 1);
  SpoolStats next = current;
  next.acked_seq = server_next_seq - 1;
  next.next_seq = current.next_seq + offset;
  state.logger->warn(
      "spool {}: the server already holds seq up to {} but this spool numbered only up to {} "
      "(was it replaced?); renumbering {} pending events to continue after the server",
      state.options.path, server_next_seq - 1, current.next_seq - 1, current.pending_events);
  return state.transaction(next, [&]() -> Status {
    SENTINEL_ASSIGN(events, state.prepare("UPDATE spool_events SET seq = seq + $1"));
    events.bind(1, offset);
    SENTINEL_TRY(state.run(events, "renumber events"));
    SENTINEL_ASSIGN(
        gaps,
        state.prepare("UPDATE spool_gaps SET from_seq = from_seq + $1, to_seq = to_seq + $1"));
    gaps.bind(1, offset);
    return state.run(gaps, "renumber gaps");
  });
}

SpoolStats Spool::stats() const {
  const std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace sentinel::agent
