#pragma once
// Where the inventory collectors read the system from. The defaults are the live system; unit
// tests point them at fixture trees under tests/data/inventory/.

#include <filesystem>

namespace sentinel::agent::inventory {

/// The files and trees the collectors read. A plain value; copy freely.
struct SystemRoots {
  std::filesystem::path proc = "/proc";
  std::filesystem::path sys = "/sys";
  std::filesystem::path etc = "/etc";
  std::filesystem::path dpkg_status = "/var/lib/dpkg/status";
  std::filesystem::path utmp = "/var/run/utmp";
  std::filesystem::path os_release = "/etc/os-release";
  /// Read when `os_release` does not exist (os-release(5)).
  std::filesystem::path os_release_fallback = "/usr/lib/os-release";
  /// The rpm binary, run (`rpm -qa`) only when it exists; empty never runs it.
  std::filesystem::path rpm = "/usr/bin/rpm";
};

}  // namespace sentinel::agent::inventory
