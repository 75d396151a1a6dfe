#include "agent/collectors/fim/baseline.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sentinel::agent::fim {
namespace {

// 1: fim_files, fim_roots. 2: adds fim_changes (the change journal) and fim_meta (the id).
// Both additions are CREATE IF NOT EXISTS, so a version 1 file is upgraded in place.
constexpr int kSchemaVersion = 2;
// Commits at least this often so that the WAL of a first check of /usr stays small.
constexpr int kWritesPerTransaction = 5000;

// (parent, name) as the key: one index serves both a path lookup and a directory's listing.
// WITHOUT ROWID keeps each row in the key's B-tree instead of a second one.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS fim_files (
  parent TEXT NOT NULL,
  name TEXT NOT NULL,
  type INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  sha256 BLOB,
  PRIMARY KEY (parent, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fim_roots (
  path TEXT PRIMARY KEY,
  complete INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS fim_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  action INTEGER NOT NULL,
  trigger_kind INTEGER NOT NULL,
  old_type INTEGER, old_size INTEGER, old_mode INTEGER, old_uid INTEGER, old_gid INTEGER,
  old_mtime_ns INTEGER, old_ctime_ns INTEGER, old_inode INTEGER, old_sha256 BLOB,
  new_type INTEGER, new_size INTEGER, new_mode INTEGER, new_uid INTEGER, new_gid INTEGER,
  new_mtime_ns INTEGER, new_ctime_ns INTEGER, new_inode INTEGER, new_sha256 BLOB
);
CREATE TABLE IF NOT EXISTS fim_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
)sql";

// AUTOINCREMENT: a sequence number is never handed out twice, even once the rows are pruned.
constexpr const char* kChangeColumns =
    "seq, path, action, trigger_kind, old_type, old_size, old_mode, old_uid, old_gid, "
    "old_mtime_ns, old_ctime_ns, old_inode, old_sha256, new_type, new_size, new_mode, new_uid, "
    "new_gid, new_mtime_ns, new_ctime_ns, new_inode, new_sha256";

constexpr const char* kColumns = "type, size, mode, uid, gid, mtime_ns, ctime_ns, inode, sha256";

struct StatementDeleter {
  void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

struct DatabaseCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

/// Resets a statement when a use of it ends, so that it holds no read lock.
class Use {
 public:
  explicit Use(sqlite3_stmt* statement) : statement_(statement) {}
  ~Use() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;

  Use& text(int index, std::string_view value) {
    sqlite3_bind_text64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                        SQLITE_UTF8);
    return *this;
  }
  Use& integer(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
  }
  Use& blob(int index, std::string_view value) {
    if (value.empty()) {
      sqlite3_bind_null(statement_, index);
    } else {
      sqlite3_bind_blob64(statement_, index, value.data(), value.size(), SQLITE_TRANSIENT);
    }
    return *this;
  }
  int step() { return sqlite3_step(statement_); }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_;
};

std::string column_text(sqlite3_stmt* statement, int column) {
  const auto* bytes = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
  return std::string(bytes == nullptr ? "" : bytes,
                     static_cast<std::size_t>(sqlite3_column_bytes(statement, column)));
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0x0f];
  }
  return out;
}

// 32 raw bytes of a 64-digit hex digest, or empty for an empty (or malformed) one.
std::string from_hex(std::string_view hex) {
  const auto value = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  if (hex.size() % 2 != 0) return out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int high = value(hex[i]);
    const int low = value(hex[i + 1]);
    if (high < 0 || low < 0) return {};
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return out;
}

// The state in columns first..first+8 (kColumns order).
FileState read_state(sqlite3_stmt* statement, int first) {
  FileState state;
  state.type = static_cast<FileType>(sqlite3_column_int(statement, first));
  state.size = sqlite3_column_int64(statement, first + 1);
  state.mode = static_cast<std::uint32_t>(sqlite3_column_int64(statement, first + 2));
  state.uid = static_cast<std::uint32_t>(sqlite3_column_int64(statement, first + 3));
  state.gid = static_cast<std::uint32_t>(sqlite3_column_int64(statement, first + 4));
  state.mtime_ns = sqlite3_column_int64(statement, first + 5);
  state.ctime_ns = sqlite3_column_int64(statement, first + 6);
  state.inode = static_cast<std::uint64_t>(sqlite3_column_int64(statement, first + 7));
  const auto* digest = static_cast<const unsigned char*>(sqlite3_column_blob(statement, first + 8));
  if (digest != nullptr) {
    state.sha256 =
        to_hex(digest, static_cast<std::size_t>(sqlite3_column_bytes(statement, first + 8)));
  }
  return state;
}

// The state in columns first..first+8, or nullopt when they are NULL (a created or deleted
// path's missing side in the journal).
std::optional<FileState> read_optional_state(sqlite3_stmt* statement, int first) {
  if (sqlite3_column_type(statement, first) == SQLITE_NULL) return std::nullopt;
  return read_state(statement, first);
}

// 16 random bytes as hex: the baseline's id.
Result<std::string> random_id() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      return internal_error(std::string("fim baseline: getrandom: ") + std::strerror(errno));
    got += static_cast<std::size_t>(n);
  }
  return to_hex(bytes, sizeof bytes);
}

// Creates the file 0600, or tightens an existing one and the WAL files SQLite makes with the
// database file's mode.
Status prepare_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return internal_error("fim baseline: cannot open " + path + ": " + std::strerror(errno));
  }
  const int changed = ::fchmod(fd, 0600);
  const int error = errno;
  ::close(fd);
  if (changed != 0) {
    return internal_error("fim baseline: cannot chmod 600 " + path + ": " + std::strerror(error));
  }
  for (const char* suffix : {"-wal", "-shm", "-journal"}) {
    const std::string companion = path + suffix;
    if (::chmod(companion.c_str(), 0600) != 0 && errno != ENOENT) {
      return internal_error("fim baseline: cannot chmod 600 " + companion + ": " +
                            std::strerror(errno));
    }
  }
  return ok();
}

}  // namespace

std::pair<std::string_view, std::string_view> split_path(std::string_view path) {
  if (path == "/") return {"", "/"};
  const std::size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return {"", path};
  if (slash == 0) return {"/", path.substr(1)};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string join_path(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string path;
  path.reserve(dir.size() + 1 + name.size());
  path.append(dir);
  if (dir != "/") path.push_back('/');
  path.append(name);
  return path;
}

struct Baseline::State {
  std::unique_ptr<sqlite3, DatabaseCloser> db;
  std::string file;
  StatementPtr get;
  StatementPtr children;
  StatementPtr put;
  StatementPtr remove;
  StatementPtr below_equal;  // rows whose parent is the directory
  StatementPtr below_range;  // rows whose parent lies in [?1, ?2)
  StatementPtr delete_equal;
  StatementPtr delete_range;
  StatementPtr record_change;
  StatementPtr changes_after;
  std::int64_t last_change = 0;
  std::string id;
  bool in_transaction = false;
  int writes = 0;

  Error error(std::string_view what) const {
    return internal_error("fim baseline " + file + ": " + std::string(what) + ": " +
                          sqlite3_errmsg(db.get()));
  }
  Status exec(const char* sql) const {
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, nullptr) != SQLITE_OK) return error(sql);
    return ok();
  }
  Result<StatementPtr> prepare(const std::string& sql) const {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v3(db.get(), sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statement,
                           nullptr) != SQLITE_OK) {
      return error("prepare");
    }
    return StatementPtr(statement);
  }
};

Baseline::Baseline(std::unique_ptr<State> state) : state_(std::move(state)) {}

Baseline::~Baseline() {
  if (state_ && state_->in_transaction) (void)state_->exec("COMMIT");
}

Result<std::unique_ptr<Baseline>> Baseline::open(const std::string& file) {
  SENTINEL_TRY(prepare_file(file));
  auto state = std::make_unique<State>();
  state->file = file;
  sqlite3* db = nullptr;
  const int opened = sqlite3_open_v2(
      file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  state->db.reset(db);
  if (opened != SQLITE_OK) return state->error("open");
  sqlite3_busy_timeout(db, 5000);
  // A small page cache: the baseline is read one directory at a time.
  SENTINEL_TRY(
      state->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2048; "
                  "PRAGMA journal_size_limit=8388608;"));
  SENTINEL_ASSIGN(version_statement, state->prepare("PRAGMA user_version"));
  int version = 0;
  {
    Use use(version_statement.get());
    if (use.step() == SQLITE_ROW) version = sqlite3_column_int(use.get(), 0);
  }
  if (version > kSchemaVersion) {
    return internal_error("fim baseline " + file + ": schema version " + std::to_string(version) +
                          " is newer than this agent's (" + std::to_string(kSchemaVersion) +
                          "); remove the file to start a new baseline");
  }
  SENTINEL_TRY(state->exec(kSchema));
  SENTINEL_TRY(state->exec("PRAGMA user_version=2"));
  SENTINEL_TRY(prepare_file(file));  // the WAL files exist now

  const std::string columns = kColumns;
  SENTINEL_ASSIGN(
      get, state->prepare("SELECT " + columns + " FROM fim_files WHERE parent = ?1 AND name = ?2"));
  SENTINEL_ASSIGN(children, state->prepare("SELECT name, " + columns +
                                           " FROM fim_files WHERE parent = ?1 ORDER BY name"));
  SENTINEL_ASSIGN(put, state->prepare("INSERT OR REPLACE INTO fim_files (parent, name, " + columns +
                                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                                      "?10, ?11)"));
  SENTINEL_ASSIGN(remove, state->prepare("DELETE FROM fim_files WHERE parent = ?1 AND name = ?2"));
  SENTINEL_ASSIGN(below_equal, state->prepare("SELECT parent, name, " + columns +
                                              " FROM fim_files WHERE parent = ?1"));
  SENTINEL_ASSIGN(below_range,
                  state->prepare("SELECT parent, name, " + columns +
                                 " FROM fim_files WHERE parent >= ?1 AND parent < ?2"));
  SENTINEL_ASSIGN(delete_equal, state->prepare("DELETE FROM fim_files WHERE parent = ?1"));
  SENTINEL_ASSIGN(delete_range,
                  state->prepare("DELETE FROM fim_files WHERE parent >= ?1 AND parent < ?2"));
  state->get = std::move(get);
  state->children = std::move(children);
  state->put = std::move(put);
  state->remove = std::move(remove);
  state->below_equal = std::move(below_equal);
  state->below_range = std::move(below_range);
  state->delete_equal = std::move(delete_equal);
  state->delete_range = std::move(delete_range);
  SENTINEL_ASSIGN(record_change,
                  state->prepare(std::string("INSERT INTO fim_changes (") + kChangeColumns +
                                 ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                                 "?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)"));
  SENTINEL_ASSIGN(changes_after, state->prepare(std::string("SELECT ") + kChangeColumns +
                                                " FROM fim_changes WHERE seq > ?1 ORDER BY seq"));
  state->record_change = std::move(record_change);
  state->changes_after = std::move(changes_after);
  {
    SENTINEL_ASSIGN(last,
                    state->prepare("SELECT seq FROM sqlite_sequence WHERE name = 'fim_changes'"));
    Use use(last.get());
    if (use.step() == SQLITE_ROW) state->last_change = sqlite3_column_int64(use.get(), 0);
  }
  {
    SENTINEL_ASSIGN(read_id, state->prepare("SELECT value FROM fim_meta WHERE key = 'id'"));
    Use use(read_id.get());
    if (use.step() == SQLITE_ROW) state->id = column_text(use.get(), 0);
  }
  if (state->id.empty()) {
    SENTINEL_ASSIGN(id, random_id());
    SENTINEL_ASSIGN(
        write_id, state->prepare("INSERT OR REPLACE INTO fim_meta (key, value) VALUES ('id', ?1)"));
    Use use(write_id.get());
    use.text(1, id);
    if (use.step() != SQLITE_DONE) return state->error("write id");
    state->id = std::move(id);
  }
  return std::unique_ptr<Baseline>(new Baseline(std::move(state)));
}

Result<std::optional<FileState>> Baseline::get(std::string_view path) {
  const auto [parent, name] = split_path(path);
  Use use(state_->get.get());
  use.text(1, parent).text(2, name);
  const int step = use.step();
  if (step == SQLITE_DONE) return std::optional<FileState>();
  if (step != SQLITE_ROW) return state_->error("get");
  return std::optional<FileState>(read_state(use.get(), 0));
}

Status Baseline::children(
    std::string_view dir,
    const std::function<void(std::string_view name, FileState state)>& visit) {
  Use use(state_->children.get());
  use.text(1, dir);
  int step = 0;
  while ((step = use.step()) == SQLITE_ROW) {
    const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(use.get(), 0));
    visit(std::string_view(name == nullptr ? "" : name,
                           static_cast<std::size_t>(sqlite3_column_bytes(use.get(), 0))),
          read_state(use.get(), 1));
  }
  if (step != SQLITE_DONE) return state_->error("children");
  return ok();
}

Status Baseline::begin_write(bool may_commit) {
  if (may_commit && state_->writes >= kWritesPerTransaction) SENTINEL_TRY(flush());
  if (!state_->in_transaction) {
    SENTINEL_TRY(state_->exec("BEGIN IMMEDIATE"));
    state_->in_transaction = true;
  }
  ++state_->writes;
  return ok();
}

Status Baseline::put(std::string_view path, const FileState& state) {
  SENTINEL_TRY(begin_write());
  const auto [parent, name] = split_path(path);
  Use use(state_->put.get());
  use.text(1, parent)
      .text(2, name)
      .integer(3, static_cast<std::int64_t>(state.type))
      .integer(4, state.size)
      .integer(5, state.mode)
      .integer(6, state.uid)
      .integer(7, state.gid)
      .integer(8, state.mtime_ns)
      .integer(9, state.ctime_ns)
      .integer(10, static_cast<std::int64_t>(state.inode))
      .blob(11, from_hex(state.sha256));
  if (use.step() != SQLITE_DONE) return state_->error("put");
  return ok();
}

Status Baseline::remove(std::string_view path) {
  SENTINEL_TRY(begin_write());
  const auto [parent, name] = split_path(path);
  Use use(state_->remove.get());
  use.text(1, parent).text(2, name);
  if (use.step() != SQLITE_DONE) return state_->error("remove");
  return ok();
}

Status Baseline::remove_below(std::string_view dir,
                              const std::function<void(std::string path, FileState state)>& visit) {
  SENTINEL_TRY(begin_write());
  // Rows below `dir` have `dir` as parent, or a parent starting with "dir/": the range
  // ["dir/", "dir0") since '0' follows '/'. For "/" that range alone is every row but "/".
  const std::string low = dir == "/" ? "/" : std::string(dir) + "/";
  const std::string high = dir == "/" ? "0" : std::string(dir) + "0";
  const auto visit_rows = [&](Use& use) -> Status {
    int step = 0;
    while ((step = use.step()) == SQLITE_ROW) {
      visit(join_path(column_text(use.get(), 0), column_text(use.get(), 1)),
            read_state(use.get(), 2));
    }
    if (step != SQLITE_DONE) return state_->error("remove_below");
    return ok();
  };
  if (dir != "/") {
    Use use(state_->below_equal.get());
    use.text(1, dir);
    SENTINEL_TRY(visit_rows(use));
  }
  {
    Use use(state_->below_range.get());
    use.text(1, low).text(2, high);
    SENTINEL_TRY(visit_rows(use));
  }
  if (dir != "/") {
    Use use(state_->delete_equal.get());
    use.text(1, dir);
    if (use.step() != SQLITE_DONE) return state_->error("remove_below");
  }
  Use use(state_->delete_range.get());
  use.text(1, low).text(2, high);
  if (use.step() != SQLITE_DONE) return state_->error("remove_below");
  return ok();
}

Result<std::set<std::string>> Baseline::complete_roots() {
  SENTINEL_ASSIGN(statement, state_->prepare("SELECT path FROM fim_roots WHERE complete = 1"));
  std::set<std::string> roots;
  Use use(statement.get());
  int step = 0;
  while ((step = use.step()) == SQLITE_ROW) roots.insert(column_text(use.get(), 0));
  if (step != SQLITE_DONE) return state_->error("complete_roots");
  return roots;
}

Status Baseline::mark_complete(std::string_view root) {
  SENTINEL_TRY(begin_write());
  SENTINEL_ASSIGN(
      statement,
      state_->prepare("INSERT OR REPLACE INTO fim_roots (path, complete) VALUES (?1, 1)"));
  Use use(statement.get());
  use.text(1, root);
  if (use.step() != SQLITE_DONE) return state_->error("mark_complete");
  return ok();
}

Status Baseline::flush() {
  if (!state_->in_transaction) return ok();
  state_->in_transaction = false;
  state_->writes = 0;
  return state_->exec("COMMIT");
}

namespace {

// Binds `state` (or NULLs when absent) to the nine parameters from `first` on.
void bind_state(Use& use, int first, const std::optional<FileState>& state) {
  if (!state) {
    for (int i = 0; i < 9; ++i) sqlite3_bind_null(use.get(), first + i);
    return;
  }
  use.integer(first, static_cast<std::int64_t>(state->type))
      .integer(first + 1, state->size)
      .integer(first + 2, state->mode)
      .integer(first + 3, state->uid)
      .integer(first + 4, state->gid)
      .integer(first + 5, state->mtime_ns)
      .integer(first + 6, state->ctime_ns)
      .integer(first + 7, static_cast<std::int64_t>(state->inode))
      .blob(first + 8, from_hex(state->sha256));
}

}  // namespace

Result<std::int64_t> Baseline::record_change(const FileChange& change, Trigger trigger) {
  // Never commits here: remove_below may be reading the baseline meanwhile.
  SENTINEL_TRY(begin_write(false));
  Use use(state_->record_change.get());
  use.text(2, change.path)
      .integer(3, static_cast<std::int64_t>(change.action))
      .integer(4, static_cast<std::int64_t>(trigger));
  bind_state(use, 5, change.before);
  bind_state(use, 14, change.after);
  if (use.step() != SQLITE_DONE) return state_->error("record_change");
  state_->last_change = sqlite3_last_insert_rowid(state_->db.get());
  return state_->last_change;
}

Status Baseline::changes_after(std::int64_t after,
                               const std::function<void(JournalEntry entry)>& visit) {
  Use use(state_->changes_after.get());
  use.integer(1, after);
  int step = 0;
  while ((step = use.step()) == SQLITE_ROW) {
    sqlite3_stmt* row = use.get();
    JournalEntry entry;
    entry.sequence = sqlite3_column_int64(row, 0);
    entry.change.path = column_text(row, 1);
    entry.change.action = static_cast<ChangeAction>(sqlite3_column_int(row, 2));
    entry.trigger = static_cast<Trigger>(sqlite3_column_int(row, 3));
    entry.change.before = read_optional_state(row, 4);
    entry.change.after = read_optional_state(row, 13);
    visit(std::move(entry));
  }
  if (step != SQLITE_DONE) return state_->error("changes_after");
  return ok();
}

Status Baseline::forget_changes_through(std::int64_t through) {
  SENTINEL_TRY(begin_write());
  SENTINEL_ASSIGN(statement, state_->prepare("DELETE FROM fim_changes WHERE seq <= ?1"));
  Use use(statement.get());
  use.integer(1, through);
  if (use.step() != SQLITE_DONE) return state_->error("forget_changes_through");
  return ok();
}

std::int64_t Baseline::last_change() const { return state_->last_change; }

const std::string& Baseline::id() const { return state_->id; }

Result<std::int64_t> Baseline::size() {
  SENTINEL_ASSIGN(statement, state_->prepare("SELECT count(*) FROM fim_files"));
  Use use(statement.get());
  if (use.step() != SQLITE_ROW) return state_->error("size");
  return sqlite3_column_int64(use.get(), 0);
}

}  // namespace sentinel::agent::fim
