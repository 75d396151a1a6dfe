#pragma once
// The one table of server services and what each depends on. A target is a set of services;
// `sentinel-server --target gateway,auth` runs those and their dependencies.

#include <string>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::server {

/// A service of the single binary and the services it needs in the same process.
struct ModuleSpec {
  std::string name;
  std::vector<std::string> dependencies;
  std::string description;
};

/// Every module, in a valid start order.
const std::vector<ModuleSpec>& module_specs();

/// The modules a target list needs, dependencies first. "all" means every module. Unknown names
/// are an error that lists the known ones.
Result<std::vector<std::string>> resolve_targets(const std::vector<std::string>& targets);

}  // namespace sentinel::server
