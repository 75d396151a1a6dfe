// Distributed scans, the pure parts: how a job is cut into shards, the "agents" of a scan
// request, and the wire forms of the shard commands (strict both ways: what one side encodes the
// other decodes; anything else is refused naming the field).

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sentinel/scan/host_resolver.h"
#include "sentinel/scan/scan_scope.h"
#include "sentinel/scanner/scan_agents.h"
#include "sentinel/scanner/scan_shard_protocol.h"
#include "src/scanner/scan_body.h"
#include "src/scanner/scan_shards.h"

namespace sentinel::scanner {
namespace {

scan::IpAddress ip(std::string_view text) { return *scan::IpAddress::parse(text); }

scan::TargetSet targets(std::string_view text) {
  auto parsed = parse_shard_targets(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed ? std::move(*parsed) : scan::TargetSet::from_ranges({});
}

boost::json::object object(std::string_view json) { return boost::json::parse(json).as_object(); }

// ---- cutting ------------------------------------------------------------------------------

TEST(ShardCutTest, SizeIsTheDefaultUnlessThatLeavesAnAgentWithout) {
  EXPECT_EQ(shard_size_for(10'000, 3), 256u);
  EXPECT_EQ(shard_size_for(500, 3), 167u);  // 3 shards, one for each agent
  EXPECT_EQ(shard_size_for(500, 1), 256u);
  EXPECT_EQ(shard_size_for(2, 5), 1u);  // never empty shards
  EXPECT_EQ(shard_size_for(7, 0), 7u);
}

TEST(ShardCutTest, SlicesCoverEveryAddressOnceInOrder) {
  // Three ranges, one of them a single address, cut across range borders.
  const scan::TargetSet all = targets("127.69.0.1-127.69.0.5,127.69.0.9,127.69.1.0/30");
  const std::vector<ShardSlice> slices = cut_into_shards(all, 4);
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[0].targets, "127.69.0.1-127.69.0.4");
  EXPECT_EQ(slices[1].targets, "127.69.0.5,127.69.0.9,127.69.1.0/31");
  EXPECT_EQ(slices[2].targets, "127.69.1.2/31");
  std::uint64_t total = 0;
  std::vector<scan::IpAddress> seen;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    EXPECT_EQ(slices[i].index, static_cast<std::int64_t>(i));
    const scan::TargetSet slice = targets(slices[i].targets);
    EXPECT_EQ(slice.size(), slices[i].address_count);
    total += slice.size();
    for (std::uint64_t k = 0; k < slice.size(); ++k) seen.push_back(slice.at(k));
  }
  EXPECT_EQ(total, all.size());
  for (std::uint64_t k = 0; k < all.size(); ++k) EXPECT_EQ(seen[k], all.at(k));
}

TEST(ShardCutTest, FiveHundredHostsForThreeAgentsMakeThreeShards) {
  const scan::TargetSet all = targets("127.69.0.1-127.69.1.244");
  const auto slices = cut_into_shards(all, shard_size_for(all.size(), 3));
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[0].address_count + slices[1].address_count + slices[2].address_count, 500u);
}

scan::AddressRange network(std::string_view cidr) {
  auto scope = scan::ScanScope::parse(cidr);
  EXPECT_TRUE(scope) << cidr;
  return scope->ranges().front();
}

TEST(ShardCutTest, EachAddressGoesToTheNarrowestNetworkThatHoldsIt) {
  const scan::TargetSet all = targets("10.1.0.0/22,10.9.0.1,fd00::1-fd00::3");
  const NetworkSplit split =
      split_by_network(all, {network("10.1.0.0/16"), network("10.1.1.0/24"), network("10.1.1.0/24"),
                             network("fd00::/64"), network("10.2.0.0/16")});
  ASSERT_EQ(split.parts.size(), 3u);
  EXPECT_EQ(split.parts[0].network.to_string(), "10.1.0.0/16");
  EXPECT_EQ(split.parts[0].targets.size(), 768u);  // 10.1.0.0/24 and 10.1.2.0/23
  EXPECT_FALSE(split.parts[0].targets.contains(ip("10.1.1.7")));
  EXPECT_EQ(split.parts[1].network.to_string(), "10.1.1.0/24");
  EXPECT_EQ(split.parts[1].targets.size(), 256u);
  EXPECT_EQ(split.parts[2].network.to_string(), "fd00::/64");
  EXPECT_EQ(split.parts[2].targets.size(), 3u);
  ASSERT_EQ(split.outside.size(), 1u);
  EXPECT_EQ(split.outside[0].to_string(), "10.9.0.1");

  const Status covered = require_covered(split);
  ASSERT_FALSE(covered);
  EXPECT_EQ(covered.error().field, "agents.networks");
  EXPECT_NE(covered.error().message.find("10.9.0.1"), std::string::npos);
  EXPECT_TRUE(require_covered(split_by_network(all, {network("10.0.0.0/8"), network("fd00::/8")})));
}

TEST(ShardCutTest, ShardsAlongNetworksNeverSpanTwoAndAreIndexedAcrossThem) {
  const scan::TargetSet all = targets("10.1.0.250-10.1.1.5");
  const NetworkSplit split =
      split_by_network(all, {network("10.1.0.0/24"), network("10.1.1.0/24")});
  const std::vector<ShardSlice> slices = cut_along_networks(split, 4);
  ASSERT_EQ(slices.size(), 4u);
  EXPECT_EQ(slices[0].targets, "10.1.0.250-10.1.0.253");
  EXPECT_EQ(slices[1].targets, "10.1.0.254/31");
  EXPECT_EQ(slices[1].network, "10.1.0.0/24");
  EXPECT_EQ(slices[2].targets, "10.1.1.0/30");
  EXPECT_EQ(slices[3].targets, "10.1.1.4/31");
  EXPECT_EQ(slices[3].network, "10.1.1.0/24");
  for (std::size_t i = 0; i < slices.size(); ++i) {
    EXPECT_EQ(slices[i].index, static_cast<std::int64_t>(i));
  }
}

TEST(ShardCutTest, AnInterfaceAddressPutsItsHostInItsNetworkUnlessItIsHostLocal) {
  EXPECT_EQ(site_network("10.1.2.7/24")->to_string(), "10.1.2.0/24");
  EXPECT_EQ(site_network("192.168.5.1/32")->to_string(), "192.168.5.1");
  EXPECT_EQ(site_network("fd00:1::7/64")->to_string(), "fd00:1::/64");
  for (const char* local :
       {"127.0.0.1/8", "169.254.3.4/16", "::1/128", "fe80::1/64", "0.0.0.0/8", "10.0.0.1/7",
        "fd00::1/31", "10.0.0.1/33", "10.0.0.1", "10.0.0.1/", "10.0.0.1/2x", "host/24"}) {
    EXPECT_FALSE(site_network(local)) << local;
  }
}

// ---- the request ----------------------------------------------------------------------------

TEST(ShardRequestTest, AGroupOrIdsNameTheAgents) {
  auto group = parse_scan_request(R"({"targets":["127.69.0.1"],"agents":{"group":"dmz"}})");
  ASSERT_TRUE(group) << group.error().message;
  ASSERT_TRUE(group->agents);
  EXPECT_EQ(group->agents->group, "dmz");
  EXPECT_TRUE(group->agents->ids.empty());

  auto ids = parse_scan_request(
      R"({"targets":["127.69.0.1"],"agents":{"ids":["agt_a","agt_b","agt_a"]}})");
  ASSERT_TRUE(ids) << ids.error().message;
  ASSERT_TRUE(ids->agents);
  EXPECT_EQ(ids->agents->ids, (std::vector<std::string>{"agt_a", "agt_b"}));

  auto networks = parse_scan_request(R"({"targets":["127.69.0.1"],"agents":{"networks":true}})");
  ASSERT_TRUE(networks) << networks.error().message;
  ASSERT_TRUE(networks->agents);
  EXPECT_TRUE(networks->agents->networks);
  EXPECT_TRUE(networks->agents->group.empty());

  auto none = parse_scan_request(R"({"targets":["127.69.0.1"]})");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->agents);
}

TEST(ShardRequestTest, EveryBadSelectionIsRefusedNamingItsField) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("agents":"dmz")", "agents"},
      {R"("agents":{})", "agents"},
      {R"("agents":{"group":"dmz","ids":["agt_a"]})", "agents"},
      {R"("agents":{"label":"dmz"})", "agents"},
      {R"("agents":{"group":""})", "agents.group"},
      {R"("agents":{"group":7})", "agents.group"},
      {R"("agents":{"ids":[]})", "agents.ids"},
      {R"("agents":{"ids":["agt_a",""]})", "agents.ids"},
      {R"("agents":{"ids":"agt_a"})", "agents.ids"},
      {R"("agents":{"networks":false})", "agents.networks"},
      {R"("agents":{"networks":"yes"})", "agents.networks"},
      {R"("agents":{"networks":true,"group":"dmz"})", "agents"},
  };
  for (const auto& [fragment, field] : cases) {
    const std::string body = R"({"targets":["127.69.0.1"],)" + fragment + "}";
    auto parsed = parse_scan_request(body);
    ASSERT_FALSE(parsed) << body;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument) << body;
    EXPECT_EQ(parsed.error().field, field) << body << " -> " << parsed.error().message;
  }
}

// ---- the wire -------------------------------------------------------------------------------

FoundHost sample_host() {
  FoundHost host;
  host.address = ip("127.69.0.7");
  scan::TlsFacts tls;
  tls.subject = "CN=bed";
  tls.issuer = "CN=bed";
  tls.subject_alt_names = {"DNS:bed.example"};
  tls.not_before_ms = 1'700'000'000'000;
  tls.not_after_ms = 1'800'000'000'000;
  tls.self_signed = true;
  tls.key_type = "RSA";
  tls.key_bits = 2048;
  tls.fingerprint_sha256 = std::string(64, 'a');
  tls.versions_tested = {"TLSv1.2", "TLSv1.3"};
  tls.versions_accepted = {"TLSv1.3"};
  host.ports.push_back({.port = 22,
                        .protocol = scan::Protocol::kTcp,
                        .service = scan::ServiceInfo{.service = "ssh",
                                                     .product = "OpenSSH",
                                                     .version = "9.2p1",
                                                     .info = "protocol 2.0",
                                                     .cpes = {"cpe:/a:openbsd:openssh:9.2p1"}},
                        .tunnel = "",
                        .tls = std::nullopt});
  host.ports.push_back({.port = 443,
                        .protocol = scan::Protocol::kTcp,
                        .service = scan::ServiceInfo{.service = "http", .product = "nginx"},
                        .tunnel = "ssl",
                        .tls = tls});
  host.ports.push_back({.port = 8080});
  return host;
}

TEST(ShardWireTest, StartPollAndReportSurviveTheirRoundTrip) {
  const ShardStart start{.job_id = 12,
                         .shard = 3,
                         .targets = "127.69.0.0/24",
                         .ports = "22,80,443,8000-8100",
                         .scope = "127.69.0.0/16",
                         .raw = false,
                         .service_detection = true};
  auto decoded_start = decode_shard_start(encode(start));
  ASSERT_TRUE(decoded_start) << decoded_start.error().message;
  EXPECT_EQ(*decoded_start, start);

  auto ref = decode_shard_ref(encode(ShardRef{12, 3}));
  ASSERT_TRUE(ref) << ref.error().message;
  EXPECT_EQ(*ref, (ShardRef{12, 3}));

  ShardReport report;
  report.state = ShardState::kDone;
  report.pairs_done = 1000;
  report.pairs_total = 1000;
  report.open_found = 3;
  report.rate = 1234.5;
  report.hosts = {sample_host()};
  // Through text, as over the channel.
  const std::string text = boost::json::serialize(encode(report));
  auto decoded = decode_shard_report(object(text));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->state, ShardState::kDone);
  EXPECT_EQ(decoded->pairs_done, 1000);
  EXPECT_EQ(decoded->open_found, 3);
  EXPECT_DOUBLE_EQ(decoded->rate, 1234.5);
  ASSERT_EQ(decoded->hosts.size(), 1u);
  const FoundHost& host = decoded->hosts.front();
  const FoundHost expected = sample_host();
  EXPECT_EQ(host.address, expected.address);
  ASSERT_EQ(host.ports.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(host.ports[i].port, expected.ports[i].port);
    EXPECT_EQ(host.ports[i].tunnel, expected.ports[i].tunnel);
    EXPECT_EQ(host.ports[i].service.has_value(), expected.ports[i].service.has_value());
    if (host.ports[i].service) {
      EXPECT_EQ(host.ports[i].service->product, expected.ports[i].service->product);
      EXPECT_EQ(host.ports[i].service->cpes, expected.ports[i].service->cpes);
    }
  }
  ASSERT_TRUE(host.ports[1].tls);
  EXPECT_EQ(host.ports[1].tls->versions_accepted, std::vector<std::string>{"TLSv1.3"});
  EXPECT_EQ(host.ports[1].tls->not_after_ms, 1'800'000'000'000);
  EXPECT_TRUE(host.ports[1].tls->self_signed);
}

TEST(ShardWireTest, RateAndConcurrencyCapsGoOnTheWireOnlyWhenSet) {
  ShardStart start{.job_id = 12,
                   .shard = 3,
                   .targets = "127.0.0.0/24",
                   .ports = "T:22,U:53",
                   .scope = "127.0.0.0/8",
                   .discovery = true,
                   .max_rate = 12.5,
                   .max_concurrency = 16};
  const boost::json::object encoded = encode(start);
  EXPECT_EQ(encoded.at("max_rate"), boost::json::value(12.5));
  EXPECT_EQ(encoded.at("max_concurrency"), boost::json::value(16));
  auto decoded = decode_shard_start(object(boost::json::serialize(encoded)));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, start);
  // A whole rate comes back as a JSON integer and still decodes.
  start.max_rate = 40;
  auto whole = decode_shard_start(object(boost::json::serialize(encode(start))));
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_EQ(whole->max_rate, std::optional<double>(40));
  // Unset: off the wire, so that an agent from before the caps is asked only when a user set
  // one (it refuses the key as unknown, which the server reports as the shard's failure).
  ShardStart uncapped = start;
  uncapped.max_rate.reset();
  uncapped.max_concurrency.reset();
  EXPECT_FALSE(encode(uncapped).contains("max_rate"));
  EXPECT_FALSE(encode(uncapped).contains("max_concurrency"));
  auto plain = decode_shard_start(encode(uncapped));
  ASSERT_TRUE(plain) << plain.error().message;
  EXPECT_FALSE(plain->max_rate);
  EXPECT_FALSE(plain->max_concurrency);
}

TEST(ShardWireTest, BadCapsInAStartAreRefusedNamingTheField) {
  const std::string head =
      R"({"job_id":1,"shard":0,"targets":"127.0.0.1","ports":"22","scope":"127.0.0.0/8",)";
  for (const auto& [tail, field] : std::vector<std::pair<std::string, std::string>>{
           {R"("max_rate":0})", "max_rate"},
           {R"("max_rate":-1})", "max_rate"},
           {R"("max_rate":2000000})", "max_rate"},
           {R"("max_rate":"20"})", "max_rate"},
           {R"("max_concurrency":0})", "max_concurrency"},
           {R"("max_concurrency":65536})", "max_concurrency"},
           {R"("max_concurrency":1.5})", "max_concurrency"},
           {R"("max_concurrency":true})", "max_concurrency"}}) {
    auto decoded = decode_shard_start(object(head + tail));
    ASSERT_FALSE(decoded) << tail;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << tail;
    EXPECT_EQ(decoded.error().field, field) << tail << " -> " << decoded.error().message;
  }
}

TEST(ShardWireTest, DiscoveryHostsAndPhasesSurviveTheRoundTrip) {
  const ShardStart start{.job_id = 12,
                         .shard = 0,
                         .targets = "10.0.0.0/24",
                         .ports = "22",
                         .scope = "10.0.0.0/8",
                         .discovery = true};
  const boost::json::object encoded = encode(start);
  EXPECT_EQ(encoded.at("discovery"), boost::json::value(true));
  auto decoded_start = decode_shard_start(object(boost::json::serialize(encoded)));
  ASSERT_TRUE(decoded_start) << decoded_start.error().message;
  EXPECT_TRUE(decoded_start->discovery);
  // Without discovery the key stays off the wire (an older agent refuses keys it does not
  // know), and a start without it scans every address.
  ShardStart every = start;
  every.discovery = false;
  EXPECT_FALSE(encode(every).contains("discovery"));
  auto decoded_every = decode_shard_start(encode(every));
  ASSERT_TRUE(decoded_every) << decoded_every.error().message;
  EXPECT_FALSE(decoded_every->discovery);

  ShardReport report;
  report.phase = "discovery";
  report.pairs_total = 10;
  report.pairs_done = 4;
  report.hosts = {
      FoundHost{.address = ip("10.0.0.3"), .reason = "arp-response", .mac = "02:00:5e:10:00:01"},
      FoundHost{.address = ip("10.0.0.4"), .reason = "echo-reply"}};
  report.hosts[1].ports.push_back({.port = 22});
  auto decoded = decode_shard_report(object(boost::json::serialize(encode(report))));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->phase, "discovery");
  ASSERT_EQ(decoded->hosts.size(), 2u);
  EXPECT_EQ(decoded->hosts[0].reason, "arp-response");
  EXPECT_EQ(decoded->hosts[0].mac, "02:00:5e:10:00:01");
  EXPECT_TRUE(decoded->hosts[0].ports.empty());
  EXPECT_EQ(decoded->hosts[1].reason, "echo-reply");
  EXPECT_EQ(decoded->hosts[1].mac, "");
  ASSERT_EQ(decoded->hosts[1].ports.size(), 1u);
  // A host without discovery's word keeps the old form: no reason, no MAC, no phase.
  ShardReport plain;
  plain.hosts = {FoundHost{.address = ip("10.0.0.5")}};
  const boost::json::object plain_json = encode(plain);
  EXPECT_FALSE(plain_json.contains("phase"));
  EXPECT_FALSE(plain_json.at("hosts").as_array()[0].as_object().contains("reason"));
  EXPECT_FALSE(plain_json.at("hosts").as_array()[0].as_object().contains("mac"));
}

TEST(ShardWireTest, AnswersAreDecodedStrictly) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"state":"finished"})", "state"},
      {R"({"state":"running","extra":1})", "extra"},
      {R"({"state":"running","pairs_done":5,"pairs_total":4})", "pairs_done"},
      {R"({"state":"running","pairs_done":-1})", "pairs_done"},
      {R"({"state":"running","rate":"fast"})", "rate"},
      {R"({"state":"running","hosts":{}})", "hosts"},
      {R"({"state":"running","hosts":[{"address":"example.com"}]})", "hosts[0].address"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","ports":[{"port":0}]}]})",
       "hosts[0].ports[0].port"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","ports":[{"port":22,"protocol":"sctp"}]}]})",
       "hosts[0].ports[0].protocol"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","ports":[{"port":22,"service":{"name":"x"}}]}]})",
       "hosts[0].ports[0].service.name"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","ports":[{"port":22,"tunnel":"tls"}]}]})",
       "hosts[0].ports[0].tunnel"},
      {R"({"state":"running","phase":"scripts"})", "phase"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","reason":"ARP Response"}]})",
       "hosts[0].reason"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","reason":""}]})", "hosts[0].reason"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","reason":7}]})", "hosts[0].reason"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","reason":"arp-response","mac":"02:00:5E:10:00:01"}]})",
       "hosts[0].mac"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","reason":"arp-response","mac":"02-00-5e-10-00-01"}]})",
       "hosts[0].mac"},
      {R"({"state":"running","hosts":[{"address":"127.69.0.1","mac":"02:00:5e:10:00:01"}]})",
       "hosts[0].mac"},
  };
  for (const auto& [json, field] : cases) {
    auto decoded = decode_shard_report(object(json));
    ASSERT_FALSE(decoded) << json;
    EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument) << json;
    EXPECT_EQ(decoded.error().field, field) << json << " -> " << decoded.error().message;
  }
  auto start = decode_shard_start(object(R"({"job_id":1,"shard":0,"targets":"","ports":"22",)"
                                         R"("scope":"127.0.0.0/8"})"));
  ASSERT_FALSE(start);
  EXPECT_EQ(start.error().field, "targets");
  auto discovery =
      decode_shard_start(object(R"({"job_id":1,"shard":0,"targets":"127.0.0.1",)"
                                R"("ports":"22","scope":"127.0.0.0/8","discovery":1})"));
  ASSERT_FALSE(discovery);
  EXPECT_EQ(discovery.error().field, "discovery");
  auto missing = decode_shard_start(object(R"({"job_id":1,"shard":0,"targets":"127.0.0.1"})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().field, "ports");
  auto ref = decode_shard_ref(object(R"({"job_id":0,"shard":0})"));
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.error().field, "job_id");
}

// An agent older than a field refuses it with its decoder's words for a key it does not know;
// the server tells that refusal from every other one by them.
TEST(ShardWireTest, AnUnknownFieldRefusalIsToldFromOtherRefusals) {
  auto unknown =
      decode_shard_start(object(R"({"job_id":1,"shard":0,"targets":"127.0.0.1",)"
                                R"("ports":"22","scope":"127.0.0.0/8","later_field":true})"));
  ASSERT_FALSE(unknown);
  EXPECT_TRUE(refuses_unknown_field(unknown.error().message, "later_field"))
      << unknown.error().message;
  EXPECT_FALSE(refuses_unknown_field(unknown.error().message, "discovery"));
  auto wrong_type =
      decode_shard_start(object(R"({"job_id":1,"shard":0,"targets":"127.0.0.1",)"
                                R"("ports":"22","scope":"127.0.0.0/8","discovery":1})"));
  ASSERT_FALSE(wrong_type);
  EXPECT_FALSE(refuses_unknown_field(wrong_type.error().message, "discovery"))
      << wrong_type.error().message;
  auto nested = decode_shard_report(
      object(R"({"state":"running","hosts":[{"address":"127.69.0.1","discovery":true}]})"));
  ASSERT_FALSE(nested);
  EXPECT_FALSE(refuses_unknown_field(nested.error().message, "discovery"))
      << nested.error().message;
  EXPECT_FALSE(refuses_unknown_field("busy: shard 0 of job 9 is in hand", "discovery"));
}

TEST(ShardWireTest, ShardsNameAddressesOnly) {
  auto named = parse_shard_targets("127.69.0.1,localhost");
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().code, ErrorCode::kInvalidArgument);
}

TEST(ShardWireTest, WhatAHostileServiceSaidIsMadeToFitTheWire) {
  FoundHost host;
  host.address = ip("127.69.0.9");
  FoundPort port{.port = 21};
  port.service = scan::ServiceInfo{.service = "ftp",
                                   .product = std::string("vs\xff\xfe") + "FTPd",
                                   .version = std::string(10'000, 'v')};
  port.service->cpes.assign(1000, "cpe:/a:x");
  host.ports.push_back(port);
  // Unfit, the answer is refused (and the whole shard with it).
  ShardReport report;
  report.hosts = {host};
  const std::string raw = boost::json::serialize(encode(report));
  boost::system::error_code ec;
  const boost::json::value unfit = boost::json::parse(raw, ec);
  EXPECT_TRUE(ec || !decode_shard_report(unfit.as_object()));

  fit_for_wire(host);
  report.hosts = {host};
  auto decoded = decode_shard_report(object(boost::json::serialize(encode(report))));
  ASSERT_TRUE(decoded) << decoded.error().message;
  const scan::ServiceInfo& service = *decoded->hosts.front().ports.front().service;
  EXPECT_EQ(service.product, "vs??FTPd");
  EXPECT_EQ(service.version.size(), kMaxWireStringBytes);
  EXPECT_EQ(service.cpes.size(), kMaxWireListItems);
}

}  // namespace
}  // namespace sentinel::scanner
