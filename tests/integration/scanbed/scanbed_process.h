#pragma once
// The scan test bed (tests/scanbed) as a child process of an integration test: started with
// its truth and ready files in a directory the test owns, waited for, its truth parsed.

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/server_process.h"

namespace sentinel::test {

/// The whole text of a file ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// Starts `scanbed` with `args` (base, hosts, seed, ...) plus truth, ready and log files in
/// `dir`, waits up to 60 s for its ready file, and parses the truth into `truth`. A failure
/// says why, with the bed's log.
inline ::testing::AssertionResult start_scanbed(const std::filesystem::path& dir,
                                                std::vector<std::string> args, ChildProcess& bed,
                                                boost::json::value& truth) {
  const auto truth_file = dir / "truth.json";
  const auto ready = dir / "ready.json";
  const auto log = dir / "scanbed.log";
  args.insert(args.begin(), binary_path("scanbed"));
  for (const std::string& arg :
       {std::string("--truth"), truth_file.string(), std::string("--ready-file"), ready.string()}) {
    args.push_back(arg);
  }
  auto spawned = ChildProcess::spawn(args, {}, log.string());
  if (!spawned) return ::testing::AssertionFailure() << spawned.error().message;
  bed = std::move(*spawned);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(ready)) {
    if (!bed.running())
      return ::testing::AssertionFailure() << "scanbed exited: " << read_text(log);
    if (std::chrono::steady_clock::now() > deadline) {
      return ::testing::AssertionFailure() << "scanbed never became ready: " << read_text(log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  truth = boost::json::parse(read_text(truth_file));
  return ::testing::AssertionSuccess();
}

}  // namespace sentinel::test
