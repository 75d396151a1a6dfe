#pragma once
// A scanned port's service as nmap prints it: "http", "ssl/http" inside TLS, and for a port no
// service was named on, the name nmap-services gives the port marked as a guess ("https-alt?",
// "ssl/https-alt?" for TLS with nothing known inside).

#include <boost/json/object.hpp>
#include <string>

namespace sentinel::ctl {

/// The label of one port of GET /api/v1/scans/{id}/results ({"service":{"service":...},
/// "tunnel","port_name",...}); "" when there is nothing to say.
std::string service_label(const boost::json::object& port);

}  // namespace sentinel::ctl
