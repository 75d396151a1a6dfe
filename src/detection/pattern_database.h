#pragma once
// Owning wrappers around vectorscan: a compiled block-mode database of many patterns and the
// scratch space a scanning thread needs.

#include <hs/hs.h>

#include <memory>
#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::detection {

/// One pattern to compile: the expression, its HS_FLAG_* flags and the id reported on a match.
struct PatternSpec {
  std::string expression;
  unsigned flags = 0;
  unsigned id = 0;
};

/// Why a database did not compile: the index of the pattern at fault (-1: none in particular).
struct PatternError {
  int pattern = -1;
  std::string message;
};

/// A compiled vectorscan database; empty until compiled. Immutable and thread-safe once built.
class PatternDatabase {
 public:
  /// Compiles `patterns` into one database, or says which pattern failed.
  static PatternDatabase compile(const std::vector<PatternSpec>& patterns, PatternError& error);

  explicit operator bool() const { return database_ != nullptr; }
  const hs_database_t* get() const { return database_.get(); }

 private:
  struct Free {
    void operator()(hs_database_t* database) const { hs_free_database(database); }
  };
  std::unique_ptr<hs_database_t, Free> database_;
};

/// Checks one expression as vectorscan would compile it: its shortest match in bytes (0: it can
/// match an empty value), or vectorscan's message.
Result<unsigned> check_expression(const std::string& expression, unsigned flags);

/// Scratch space for scanning; grown to fit every database it is prepared for. One per thread.
class ScanScratch {
 public:
  ScanScratch() = default;
  ScanScratch(ScanScratch&&) noexcept = default;
  ScanScratch& operator=(ScanScratch&&) noexcept = default;

  /// Makes the scratch big enough for `database`; false if vectorscan could not allocate it.
  bool prepare(const PatternDatabase& database);

  hs_scratch_t* get() const { return scratch_.get(); }

 private:
  struct Free {
    void operator()(hs_scratch_t* scratch) const { hs_free_scratch(scratch); }
  };
  std::unique_ptr<hs_scratch_t, Free> scratch_;
};

}  // namespace sentinel::detection
