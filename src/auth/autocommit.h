#pragma once
// A Connection view of a Database in autocommit mode, so that repositories written over
// Connection also run outside a transaction.

#include "sentinel/store/database.h"

namespace sentinel::auth {

/// Forwards each statement to the database's own autocommit calls. Thread-safe like the database.
class Autocommit final : public store::Connection {
 public:
  explicit Autocommit(store::Database& db) : db_(db) {}
  Result<store::Rows> query(std::string_view sql, const store::Params& params) override {
    return db_.query(sql, params);
  }
  Result<std::int64_t> execute(std::string_view sql, const store::Params& params) override {
    return db_.execute(sql, params);
  }

 private:
  store::Database& db_;
};

}  // namespace sentinel::auth
