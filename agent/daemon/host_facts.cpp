#include "agent/daemon/host_facts.h"

#include <sys/utsname.h>

#include <fstream>

namespace sentinel::agent {
namespace {

std::string os_pretty_name() {
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
      std::string value = line.substr(12);
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
        value = value.substr(1, value.size() - 2);
      }
      return value;
    }
  }
  return {};
}

}  // namespace

HostFacts host_facts() {
  HostFacts facts;
  struct utsname names {};
  if (::uname(&names) == 0) {
    facts.hostname = names.nodename;
    facts.os = names.sysname;
    facts.kernel = names.release;
    facts.arch = names.machine;
  }
  if (std::string pretty = os_pretty_name(); !pretty.empty()) facts.os = pretty;
  return facts;
}

}  // namespace sentinel::agent
