// The in-flight table against std::unordered_map under random inserts and erases, including
// the wrap-around clusters that backward-shift deletion must keep findable.

#include "src/scan/probe_table.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>
#include <vector>

namespace sentinel::scan {
namespace {

TEST(ProbeTable, AgreesWithAStandardMapUnderChurn) {
  constexpr std::size_t kCapacity = 1000;
  ProbeTable table(kCapacity);
  std::unordered_map<std::uint64_t, std::uint32_t> model;
  std::vector<std::uint64_t> keys;
  std::mt19937_64 random(42);
  for (int step = 0; step < 200000; ++step) {
    const bool insert = model.size() < kCapacity && (keys.empty() || random() % 3 != 0);
    if (insert) {
      // Dense keys, as pair indices are, with some far apart.
      const std::uint64_t key = random() % 4 == 0 ? random() % (1ULL << 40) : random() % 5000;
      if (model.count(key)) continue;
      const auto value = static_cast<std::uint32_t>(random() % kCapacity);
      table.insert(key, value);
      model[key] = value;
      keys.push_back(key);
    } else {
      const std::size_t i = random() % keys.size();
      table.erase(keys[i]);
      model.erase(keys[i]);
      keys[i] = keys.back();
      keys.pop_back();
    }
    if (step % 1000 == 0) {
      for (const auto& [key, value] : model) ASSERT_EQ(table.find(key), value) << "step " << step;
      for (std::uint64_t probe = 0; probe < 5000; probe += 7) {
        if (!model.count(probe)) {
          ASSERT_EQ(table.find(probe), ProbeTable::kAbsent);
        }
      }
    }
  }
  for (const auto& [key, value] : model) EXPECT_EQ(table.find(key), value);
}

TEST(ProbeTable, ErasingAnAbsentKeyChangesNothing) {
  ProbeTable table(4);
  table.insert(7, 1);
  table.erase(8);
  EXPECT_EQ(table.find(7), 1u);
  table.erase(7);
  EXPECT_EQ(table.find(7), ProbeTable::kAbsent);
}

}  // namespace
}  // namespace sentinel::scan
