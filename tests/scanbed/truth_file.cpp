#include "tests/scanbed/truth_file.h"

#include <boost/json.hpp>

#include "sentinel/common/openssl.h"

namespace sentinel::scanbed {
namespace {

boost::json::object port_json(const PortPlan& port) {
  boost::json::object entry;
  entry["port"] = port.port;
  entry["protocol"] = "tcp";
  entry["service"] = port.service.service;
  entry["product"] = port.service.product;
  if (!port.service.version.empty()) entry["version"] = port.service.version;
  return entry;
}

boost::json::object host_json(const HostPlan& host) {
  boost::json::array ports;
  for (const PortPlan& port : host.ports) ports.push_back(port_json(port));
  boost::json::object entry;
  entry["address"] = format_ipv4(host.address);
  entry["hostname"] = host.hostname;
  entry["role"] = host.role;
  entry["ports"] = std::move(ports);
  return entry;
}

boost::json::object hostile_json(const HostilePlan& hostile) {
  boost::json::array ports;
  for (std::uint16_t port : hostile.ports) ports.push_back(port);
  boost::json::object entry;
  entry["address"] = format_ipv4(hostile.address);
  entry["behaviour"] = hostility_name(hostile.hostility);
  entry["ports"] = std::move(ports);
  return entry;
}

}  // namespace

std::string truth_json(const BedPlan& plan) {
  boost::json::array hosts;
  for (const HostPlan& host : plan.hosts) hosts.push_back(host_json(host));
  boost::json::array hostile;
  for (const HostilePlan& entry : plan.hostile) hostile.push_back(hostile_json(entry));
  boost::json::object document;
  document["generator"] = "scanbed";
  document["seed"] = plan.options.seed;
  document["base"] = format_ipv4(plan.options.base);
  document["host_count"] = plan.options.host_count;
  document["hosts"] = std::move(hosts);
  document["hostile"] = std::move(hostile);
  return boost::json::serialize(document) + "\n";
}

Status write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  // The shared atomic writer; its name says PEM because certificates were its first users.
  return ssl::write_pem_file(path, text, 0644);
}

}  // namespace sentinel::scanbed
