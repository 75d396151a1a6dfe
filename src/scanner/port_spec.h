#pragma once
// Port specs of scan requests: "topN", "all", or an nmap-style list of TCP ports.

#include <cstdint>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::scanner {

/// Checks the syntax of a spec without reading any file: "top" and a count 1..65535, "all", or
/// a port list (scan::PortList) of TCP ports only. kInvalidArgument for field "ports". Pure.
Status check_port_spec(std::string_view spec);

/// The TCP ports a spec stands for, ascending. "topN" ranks ports by nmap's nmap-services when
/// it is installed (scan::top_ports). kInvalidArgument for field "ports". Thread-safe.
Result<std::vector<std::uint16_t>> expand_port_spec(std::string_view spec);

}  // namespace sentinel::scanner
