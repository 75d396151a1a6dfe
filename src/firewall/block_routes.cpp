// /api/v1/firewall/blocks and /api/v1/firewall/allow-list.

#include "sentinel/firewall/block_routes.h"

#include <boost/json/array.hpp>
#include <cstdint>

#include "block_body.h"
#include "block_json.h"
#include "sentinel/common/time_format.h"
#include "sentinel/gateway/request_params.h"

namespace sentinel::firewall {
namespace {

using gateway::Request;
using gateway::Response;

constexpr std::string_view kRead = "firewall:read";
constexpr std::string_view kWrite = "firewall:write";
constexpr std::int64_t kMaxLimit = 1000;

BlockRequester requester_of(const Request& request) {
  BlockRequester requester;
  requester.username = request.caller().username;
  requester.source_address = request.remote_address;
  return requester;
}

Result<BlockFilter> filter_of(const Request& request) {
  BlockFilter filter;
  if (const auto active = request.query_param("active")) {
    if (*active != "true" && *active != "false") {
      return invalid_argument("query parameter 'active' must be true or false", "active");
    }
    filter.active = *active == "true";
  }
  SENTINEL_ASSIGN(limit, gateway::integer_query(request, "limit", 1, kMaxLimit));
  SENTINEL_ASSIGN(offset, gateway::integer_query(request, "offset", 0, INT64_MAX));
  filter.limit = limit.value_or(filter.limit);
  filter.offset = offset.value_or(filter.offset);
  return filter;
}

Result<Response> list_blocks(BlockService& blocks, const Clock& clock, Request& request) {
  SENTINEL_ASSIGN(filter, filter_of(request));
  SENTINEL_ASSIGN(page, blocks.list(filter));
  const std::int64_t now = clock.now_ms();
  boost::json::array items;
  for (const Block& block : page.items) items.emplace_back(block_json(block, now));
  return Response::json(boost::json::object{{"items", std::move(items)}, {"total", page.total}});
}

Result<Response> show_block(BlockService& blocks, const Clock& clock, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "block"));
  SENTINEL_ASSIGN(block, blocks.get(id));
  return Response::json(block_json(block, clock.now_ms()));
}

Result<Response> create_block(BlockService& blocks, const Clock& clock, Request& request) {
  SENTINEL_ASSIGN(block_request, parse_block_body(request.body));
  block_request.requester = requester_of(request);
  SENTINEL_ASSIGN(block, blocks.block(block_request));
  return Response::json(block_json(block, clock.now_ms()), 201);
}

Result<Response> remove_block(BlockService& blocks, const Clock& clock, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "block"));
  SENTINEL_ASSIGN(block, blocks.unblock(id, requester_of(request)));
  return Response::json(block_json(block, clock.now_ms()));
}

boost::json::object entry_json(const AllowListEntry& entry) {
  return {{"id", entry.id ? boost::json::value(*entry.id) : boost::json::value(nullptr)},
          {"cidr", entry.cidr},
          {"comment", entry.comment},
          {"builtin", entry.builtin},
          {"created_by",
           entry.builtin ? boost::json::value(nullptr) : boost::json::value(entry.created_by)},
          {"created_at", entry.builtin ? boost::json::value(nullptr)
                                       : boost::json::value(iso8601_utc(entry.created_ms))}};
}

Result<Response> list_allowed(AllowList& allow_list) {
  SENTINEL_ASSIGN(entries, allow_list.list());
  boost::json::array items;
  for (const AllowListEntry& entry : entries) items.emplace_back(entry_json(entry));
  return Response::json(boost::json::object{{"items", std::move(items)}});
}

// An address that becomes allow-listed must not stay blocked: the entry lifts the active blocks
// it covers, and the answer names them.
Result<Response> add_allowed(AllowList& allow_list, BlockService& blocks, Request& request) {
  SENTINEL_ASSIGN(body, parse_allow_list_body(request.body));
  SENTINEL_ASSIGN(
      entry, allow_list.add(request.caller(), body.cidr, std::move(body.comment),
                            {request.remote_address, std::string(request.header("user-agent"))}));
  SENTINEL_ASSIGN(network, parse_ip_network(entry.cidr));
  SENTINEL_ASSIGN(lifted, blocks.unblock_within(network, requester_of(request)));
  boost::json::object out = entry_json(entry);
  boost::json::array ids;
  for (const Block& block : lifted) ids.emplace_back(block.id);
  out["lifted_blocks"] = std::move(ids);
  return Response::json(out, 201);
}

Result<Response> remove_allowed(AllowList& allow_list, Request& request) {
  SENTINEL_ASSIGN(id, gateway::positive_path_id(request, "allow-list entry"));
  SENTINEL_TRY(allow_list.remove(
      request.caller(), id, {request.remote_address, std::string(request.header("user-agent"))}));
  return Response::no_content();
}

}  // namespace

Status register_block_routes(gateway::Router& router, BlockService& blocks, AllowList& allow_list,
                             const Clock& clock) {
  SENTINEL_TRY(
      router.add({"GET", "/api/v1/firewall/blocks", std::string(kRead),
                  "List blocks, newest first (active=true|false, limit, offset), each "
                  "with its remaining time; total counts every match",
                  [&blocks, &clock](Request& r) { return list_blocks(blocks, clock, r); }}));
  SENTINEL_TRY(router.add({"POST",
                           "/api/v1/firewall/blocks",
                           std::string(kWrite),
                           "Block an address on one agent (agent_id), a group or every agent "
                           "for duration_s (1..604800, doubled for each earlier block of the "
                           "address within 24 h, at most 7 days); 409 for an allow-listed "
                           "address",
                           [&blocks, &clock](Request& r) { return create_block(blocks, clock, r); },
                           {"address", "duration_s", "agent_id", "group", "reason"}}));
  SENTINEL_TRY(
      router.add({"GET", "/api/v1/firewall/blocks/{id}", std::string(kRead), "Show a block",
                  [&blocks, &clock](Request& r) { return show_block(blocks, clock, r); }}));
  SENTINEL_TRY(
      router.add({"DELETE", "/api/v1/firewall/blocks/{id}", std::string(kWrite),
                  "Unblock: end an active block and remove the address from the "
                  "agents in its scope",
                  [&blocks, &clock](Request& r) { return remove_block(blocks, clock, r); }}));
  SENTINEL_TRY(router.add({"GET", "/api/v1/firewall/allow-list", std::string(kRead),
                           "Addresses never blocked: loopback, link-local, the server's own "
                           "addresses, then the admin-defined networks",
                           [&allow_list](Request&) { return list_allowed(allow_list); }}));
  SENTINEL_TRY(
      router.add({"POST",
                  "/api/v1/firewall/allow-list",
                  std::string(kWrite),
                  "Add a network that is never blocked; active blocks inside it are lifted",
                  [&allow_list, &blocks](Request& r) { return add_allowed(allow_list, blocks, r); },
                  {"cidr", "comment"}}));
  return router.add({"DELETE", "/api/v1/firewall/allow-list/{id}", std::string(kWrite),
                     "Remove an admin-defined allow-list entry",
                     [&allow_list](Request& r) { return remove_allowed(allow_list, r); }});
}

}  // namespace sentinel::firewall
