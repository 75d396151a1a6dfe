#pragma once
// What the agent says about its host in enrolment and hello: cheap facts read at start.

#include <string>

namespace sentinel::agent {

struct HostFacts {
  std::string hostname;
  std::string os;      // PRETTY_NAME of /etc/os-release, else uname sysname
  std::string kernel;  // uname release
  std::string arch;    // uname machine
};

/// Reads uname(2) and /etc/os-release.
HostFacts host_facts();

}  // namespace sentinel::agent
