#pragma once
// The open windows of one aggregating or correlation rule, by group-by key: event counts,
// distinct values, and (ordered) sets of rules seen. Bounded: at most `max_keys` keys, the least
// recently updated evicted first, and keys idle for longer than the span dropped as time goes on.

#include <cstddef>
#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "compiled_rules.h"
#include "text.h"

namespace sentinel::detection {

/// An event that contributed to a window.
struct EventRef {
  std::int64_t time_ms = 0;
  std::int64_t event_id = 0;
  std::uint32_t agent = 0;  // index into the Engine's agent table
};

/// A detection lists at most this many of the events that made it fire (the last ones).
inline constexpr std::size_t kMaxEvidence = 100;

/// One rule's windows. Copies what it needs of the WindowSpec, so that it can outlive the rule
/// set it was made for when a reload keeps it.
class WindowState {
 public:
  WindowState(const WindowSpec& spec, std::size_t max_keys);

  /// Adds an occurrence of input `input` for group `key`: `refs` are its events (for a rule,
  /// the one event; for a correlation feeding another, its evidence), `value` the counted
  /// value (value_count). `now_ms` is the newest event time seen, which expires idle keys.
  /// Returns true when the window fires; `fired` then holds the last events that made it fire,
  /// oldest first, and the key starts over.
  bool add(std::string_view key, std::size_t input, std::int64_t time_ms,
           std::span<const EventRef> refs, std::string_view value, std::int64_t now_ms,
           std::vector<EventRef>& fired);

  /// Open keys.
  std::size_t keys() const { return entries_.size(); }

 private:
  struct SeenValue {
    std::string value;
    EventRef ref;
  };
  struct Step {
    bool set = false;
    std::int64_t start_ms = 0;  // the time of the chain's first event
    std::vector<EventRef> refs;
  };
  struct Entry;
  // A key and its entry, as the map holds them; its address stays valid while it is held.
  using Slot = std::pair<const std::string, Entry>;
  struct Entry {
    std::list<Slot*>::iterator recent;
    std::int64_t last_ms = 0;
    std::vector<EventRef> ring;  // event_count: a ring of at most `threshold` events
    std::size_t ring_head = 0;
    std::size_t ring_size = 0;
    std::vector<SeenValue> values;  // value_count
    std::vector<Step> steps;        // temporal: per input; temporal_ordered: per position
  };

  Entry& entry_for(std::string_view key, std::int64_t now_ms);
  void reset(Entry& entry);
  bool add_count(Entry& entry, std::int64_t time_ms, std::span<const EventRef> refs,
                 std::vector<EventRef>& fired);
  bool add_value(Entry& entry, std::int64_t time_ms, std::span<const EventRef> refs,
                 std::string_view value, std::vector<EventRef>& fired);
  bool add_temporal(Entry& entry, std::size_t input, std::int64_t time_ms,
                    std::span<const EventRef> refs, std::vector<EventRef>& fired);
  bool add_ordered(Entry& entry, std::size_t input, std::int64_t time_ms,
                   std::span<const EventRef> refs, std::vector<EventRef>& fired);

  WindowKind kind_;
  std::int64_t span_ms_;
  std::size_t threshold_;
  std::size_t inputs_;
  std::size_t max_keys_;
  std::unordered_map<std::string, Entry, TransparentHash, std::equal_to<>> entries_;
  // The entries, least recently updated first: the oldest is checked for idleness without
  // looking its key up.
  std::list<Slot*> recent_;
};

}  // namespace sentinel::detection
