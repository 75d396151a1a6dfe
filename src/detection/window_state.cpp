#include "window_state.h"

#include <algorithm>

namespace sentinel::detection {
namespace {

// Idle keys expired per add: enough to keep up, few enough to bound the time one event takes.
constexpr int kExpirePerAdd = 4;

void keep_last(std::vector<EventRef>& refs) {
  if (refs.size() > kMaxEvidence) refs.erase(refs.begin(), refs.end() - kMaxEvidence);
}

}  // namespace

WindowState::WindowState(const WindowSpec& spec, std::size_t max_keys)
    : kind_(spec.kind),
      span_ms_(spec.span_ms),
      threshold_(std::max<std::size_t>(spec.threshold, 1)),
      inputs_(spec.inputs.size()),
      max_keys_(std::max<std::size_t>(max_keys, 1)) {}

WindowState::Entry& WindowState::entry_for(std::string_view key, std::int64_t now_ms) {
  const auto drop_oldest = [this] {
    const auto oldest = entries_.find(recent_.front()->first);
    recent_.pop_front();
    entries_.erase(oldest);
  };
  for (int i = 0; i < kExpirePerAdd && !recent_.empty(); ++i) {
    const Slot& oldest = *recent_.front();
    if (oldest.second.last_ms >= now_ms - span_ms_ || oldest.first == key) break;
    drop_oldest();
  }
  if (auto found = entries_.find(key); found != entries_.end()) {
    recent_.splice(recent_.end(), recent_, found->second.recent);
    return found->second;
  }
  if (entries_.size() >= max_keys_) drop_oldest();
  Slot& slot = *entries_.try_emplace(std::string(key)).first;
  recent_.push_back(&slot);
  Entry& entry = slot.second;
  entry.recent = std::prev(recent_.end());
  if (kind_ == WindowKind::kTemporal || kind_ == WindowKind::kTemporalOrdered) {
    entry.steps.resize(inputs_);
  }
  return entry;
}

void WindowState::reset(Entry& entry) {
  entry.ring_head = 0;
  entry.ring_size = 0;
  entry.values.clear();
  for (Step& step : entry.steps) {
    step.set = false;
    step.refs.clear();
  }
}

bool WindowState::add(std::string_view key, std::size_t input, std::int64_t time_ms,
                      std::span<const EventRef> refs, std::string_view value, std::int64_t now_ms,
                      std::vector<EventRef>& fired) {
  fired.clear();
  if (refs.empty() || input >= std::max<std::size_t>(inputs_, 1)) return false;
  Entry& entry = entry_for(key, now_ms);
  entry.last_ms = std::max(entry.last_ms, time_ms);
  bool fires = false;
  switch (kind_) {
    case WindowKind::kEventCount:
      fires = add_count(entry, time_ms, refs, fired);
      break;
    case WindowKind::kValueCount:
      fires = add_value(entry, time_ms, refs, value, fired);
      break;
    case WindowKind::kTemporal:
      fires = add_temporal(entry, input, time_ms, refs, fired);
      break;
    case WindowKind::kTemporalOrdered:
      fires = add_ordered(entry, input, time_ms, refs, fired);
      break;
  }
  if (fires) {
    keep_last(fired);
    reset(entry);
  }
  return fires;
}

bool WindowState::add_count(Entry& entry, std::int64_t time_ms, std::span<const EventRef> refs,
                            std::vector<EventRef>& fired) {
  auto& ring = entry.ring;
  // Events older than the span leave the window, oldest first.
  while (entry.ring_size > 0 && ring[entry.ring_head].time_ms < time_ms - span_ms_) {
    entry.ring_head = (entry.ring_head + 1) % ring.size();
    --entry.ring_size;
  }
  // The ring grows as needed up to the threshold, so that keys that stay quiet stay small.
  if (entry.ring_size == ring.size()) {
    std::rotate(ring.begin(), ring.begin() + static_cast<std::ptrdiff_t>(entry.ring_head),
                ring.end());
    entry.ring_head = 0;
    ring.resize(std::min(threshold_, std::max<std::size_t>(4, ring.size() * 2)));
  }
  EventRef ref = refs.back();
  ref.time_ms = time_ms;
  ring[(entry.ring_head + entry.ring_size) % ring.size()] = ref;
  ++entry.ring_size;
  if (entry.ring_size < threshold_) return false;
  for (std::size_t i = 0; i < entry.ring_size; ++i) {
    fired.push_back(ring[(entry.ring_head + i) % ring.size()]);
  }
  return true;
}

bool WindowState::add_value(Entry& entry, std::int64_t time_ms, std::span<const EventRef> refs,
                            std::string_view value, std::vector<EventRef>& fired) {
  auto& values = entry.values;
  std::erase_if(values,
                [&](const SeenValue& seen) { return seen.ref.time_ms < time_ms - span_ms_; });
  EventRef ref = refs.back();
  ref.time_ms = time_ms;
  auto found = std::find_if(values.begin(), values.end(),
                            [value](const SeenValue& seen) { return seen.value == value; });
  if (found != values.end()) {
    found->ref = ref;
  } else {
    values.push_back({std::string(value), ref});
  }
  if (values.size() < threshold_) return false;
  for (const SeenValue& seen : values) fired.push_back(seen.ref);
  std::sort(fired.begin(), fired.end(),
            [](const EventRef& a, const EventRef& b) { return a.time_ms < b.time_ms; });
  return true;
}

bool WindowState::add_temporal(Entry& entry, std::size_t input, std::int64_t time_ms,
                               std::span<const EventRef> refs, std::vector<EventRef>& fired) {
  Step& step = entry.steps[input];
  step.set = true;
  step.start_ms = time_ms;
  step.refs.assign(refs.begin(), refs.end());
  std::size_t seen = 0;
  for (const Step& other : entry.steps) {
    if (other.set && other.start_ms >= time_ms - span_ms_) ++seen;
  }
  if (seen < threshold_) return false;
  for (const Step& other : entry.steps) {
    if (other.set && other.start_ms >= time_ms - span_ms_) {
      fired.insert(fired.end(), other.refs.begin(), other.refs.end());
    }
  }
  std::stable_sort(fired.begin(), fired.end(),
                   [](const EventRef& a, const EventRef& b) { return a.time_ms < b.time_ms; });
  return true;
}

bool WindowState::add_ordered(Entry& entry, std::size_t position, std::int64_t time_ms,
                              std::span<const EventRef> refs, std::vector<EventRef>& fired) {
  Step& step = entry.steps[position];
  if (position == 0) {
    // The newest first step gives the chain the most time.
    step.set = true;
    step.start_ms = time_ms;
    step.refs.assign(refs.begin(), refs.end());
    keep_last(step.refs);
  } else {
    const Step& before = entry.steps[position - 1];
    if (!before.set || before.start_ms < time_ms - span_ms_) return false;
    step.set = true;
    step.start_ms = before.start_ms;
    step.refs = before.refs;
    step.refs.insert(step.refs.end(), refs.begin(), refs.end());
    keep_last(step.refs);
  }
  if (position + 1 != entry.steps.size()) return false;
  fired = step.refs;
  return true;
}

}  // namespace sentinel::detection
