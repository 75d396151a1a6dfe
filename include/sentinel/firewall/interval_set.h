#pragma once
// Sets of unsigned values kept as sorted, disjoint, non-adjacent closed intervals: the normal
// form in which address, port and ICMP type sets are compared (containment, overlap), never as
// text.

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace sentinel::firewall {

/// A set of values of the unsigned type T (its whole range is the universe). Immutable: every
/// operation returns a new set, and copies share their intervals, so that a large address set
/// referenced by many rules is stored once. Safe to share between threads.
template <typename T>
class IntervalSet {
 public:
  /// A closed interval [low, high].
  struct Interval {
    T low{};
    T high{};
    friend bool operator==(const Interval&, const Interval&) = default;
  };

  IntervalSet() = default;

  /// The set of the given intervals (any order, overlaps allowed); intervals with low > high
  /// are ignored.
  static IntervalSet of(std::vector<Interval> intervals) {
    std::erase_if(intervals, [](const Interval& i) { return i.low > i.high; });
    std::sort(intervals.begin(), intervals.end(),
              [](const Interval& a, const Interval& b) { return a.low < b.low; });
    return coalesced(intervals);
  }

  /// The whole range [0, max].
  static IntervalSet full(T max) { return of({{T{0}, max}}); }

  const std::vector<Interval>& intervals() const { return intervals_ ? *intervals_ : kNone; }
  std::size_t size() const { return intervals().size(); }
  bool empty() const { return intervals().empty(); }
  bool is_full(T max) const {
    return size() == 1 && intervals()[0].low == T{0} && intervals()[0].high == max;
  }

  /// True when both sets share their storage (copies of one set): comparing them is free.
  bool same_storage(const IntervalSet& other) const { return intervals_ == other.intervals_; }

  /// True when `value` is in the set.
  bool contains(T value) const {
    const auto& mine = intervals();
    auto it = std::upper_bound(mine.begin(), mine.end(), value,
                               [](T v, const Interval& i) { return v < i.low; });
    return it != mine.begin() && std::prev(it)->high >= value;
  }

  /// True when every value of `other` is in this set. O(min(|this| + |other|,
  /// |other| log |this|)).
  bool contains(const IntervalSet& other) const {
    if (intervals_ == other.intervals_) return true;
    const auto& mine = intervals();
    const auto& theirs = other.intervals();
    if (theirs.size() * 16 < mine.size()) {
      // A few intervals against many: look each one up.
      for (const Interval& i : theirs) {
        auto it = std::upper_bound(mine.begin(), mine.end(), i.low,
                                   [](T v, const Interval& j) { return v < j.low; });
        if (it == mine.begin()) return false;
        if (std::prev(it)->high < i.high) return false;  // normal form: nothing continues it
      }
      return true;
    }
    std::size_t a = 0;
    for (const Interval& i : theirs) {
      while (a < mine.size() && mine[a].high < i.low) ++a;
      if (a == mine.size() || mine[a].low > i.low || mine[a].high < i.high) return false;
    }
    return true;
  }

  /// The lowest common value, if any. O(|this| + |other|).
  std::optional<T> first_common(const IntervalSet& other) const {
    const auto& mine = intervals();
    const auto& theirs = other.intervals();
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < mine.size() && b < theirs.size()) {
      const Interval& x = mine[a];
      const Interval& y = theirs[b];
      const T low = std::max(x.low, y.low);
      if (low <= std::min(x.high, y.high)) return low;
      if (x.high < y.high) {
        ++a;
      } else {
        ++b;
      }
    }
    return std::nullopt;
  }

  bool intersects(const IntervalSet& other) const { return first_common(other).has_value(); }

  /// The values in both sets.
  IntervalSet intersection(const IntervalSet& other) const {
    const auto& mine = intervals();
    const auto& theirs = other.intervals();
    std::vector<Interval> result;
    std::size_t a = 0;
    std::size_t b = 0;
    while (a < mine.size() && b < theirs.size()) {
      const Interval& x = mine[a];
      const Interval& y = theirs[b];
      const T low = std::max(x.low, y.low);
      const T high = std::min(x.high, y.high);
      if (low <= high) result.push_back({low, high});
      if (x.high < y.high) {
        ++a;
      } else {
        ++b;
      }
    }
    return wrap(std::move(result));
  }

  /// The values in either set. O(|this| + |other|).
  IntervalSet united(const IntervalSet& other) const {
    if (other.empty()) return *this;
    if (empty()) return other;
    std::vector<Interval> all;
    all.reserve(size() + other.size());
    std::merge(intervals().begin(), intervals().end(), other.intervals().begin(),
               other.intervals().end(), std::back_inserter(all),
               [](const Interval& a, const Interval& b) { return a.low < b.low; });
    return coalesced(all);
  }

  /// The values of [0, max] not in the set.
  IntervalSet complement(T max) const {
    std::vector<Interval> result;
    T next = 0;
    bool open = true;  // false once an interval reached max
    for (const Interval& i : intervals()) {
      if (i.low > next) result.push_back({next, static_cast<T>(i.low - 1)});
      if (i.high >= max) {
        open = false;
        break;
      }
      next = static_cast<T>(i.high + 1);
    }
    if (open) result.push_back({next, max});
    return wrap(std::move(result));
  }

  friend bool operator==(const IntervalSet& a, const IntervalSet& b) {
    return a.intervals() == b.intervals();
  }

 private:
  inline static const std::vector<Interval> kNone;

  static IntervalSet wrap(std::vector<Interval> intervals) {
    IntervalSet set;
    if (!intervals.empty()) {
      set.intervals_ = std::make_shared<const std::vector<Interval>>(std::move(intervals));
    }
    return set;
  }

  // The normal form of intervals sorted by their low ends: overlapping and adjacent ones
  // merged, so that equal sets have equal forms.
  static IntervalSet coalesced(const std::vector<Interval>& sorted) {
    std::vector<Interval> merged;
    for (const Interval& next : sorted) {
      if (!merged.empty()) {
        Interval& last = merged.back();
        if (last.high == static_cast<T>(-1) || next.low <= static_cast<T>(last.high + 1)) {
          last.high = std::max(last.high, next.high);
          continue;
        }
      }
      merged.push_back(next);
    }
    return wrap(std::move(merged));
  }

  std::shared_ptr<const std::vector<Interval>> intervals_;  // null when empty
};

}  // namespace sentinel::firewall
