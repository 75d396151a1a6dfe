#include "agent/scan/scan_worker.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <mutex>

#include "agent/sandbox/worker_stream.h"
#include "agent/scan/worker_event_writer.h"

namespace sentinel::agent {
namespace {

namespace json = boost::json;

// Bounds of what one event frame may hold (a frame is at most 16 MiB anyway).
constexpr std::size_t kMaxResultsPerEvent = 4096;
constexpr std::size_t kMaxHostsPerEvent = 4096;
constexpr std::size_t kMaxServicesPerEvent = 256;
constexpr std::size_t kMaxWarningsPerEvent = 16;

constexpr scan::PortState kStates[] = {scan::PortState::kOpen, scan::PortState::kClosed,
                                       scan::PortState::kFiltered, scan::PortState::kOpenFiltered};

std::string_view protocol_name(scan::Protocol protocol) {
  return protocol == scan::Protocol::kUdp ? "udp" : "tcp";
}

Error bad(const std::string& field, std::string_view what) {
  return invalid_argument(fmt::format("scan worker event: {}: {}", field, what), field);
}

Result<std::uint64_t> counter(const json::object& object, std::string_view key,
                              const std::string& field) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return bad(fmt::format("{}.{}", field, key), "missing");
  if (value->is_uint64()) return value->as_uint64();
  if (value->is_int64() && value->as_int64() >= 0) {
    return static_cast<std::uint64_t>(value->as_int64());
  }
  return bad(fmt::format("{}.{}", field, key), "must be a count");
}

Result<std::string> text(const json::value& value, const std::string& field) {
  if (!value.is_string()) return bad(field, "must be a string");
  if (value.as_string().size() > kMaxWorkerTextBytes) {
    return bad(field, fmt::format("longer than {} bytes", kMaxWorkerTextBytes));
  }
  return std::string(value.as_string());
}

const json::array* list(const json::object& object, std::string_view key, std::size_t max,
                        Error& error) {
  const json::value* value = object.if_contains(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) {
    error = bad(std::string(key), "must be a list");
  } else if (value->as_array().size() > max) {
    error = bad(std::string(key), fmt::format("more than {} entries", max));
  } else {
    return &value->as_array();
  }
  return nullptr;
}

Result<scan::PortResult> decode_result(const json::value& value, const std::string& field) {
  if (!value.is_array() || value.as_array().size() != 4) {
    return bad(field, "must be [address, port, protocol, state]");
  }
  const json::array& item = value.as_array();
  scan::PortResult result;
  const auto address =
      item[0].is_string() ? scan::IpAddress::parse(item[0].as_string()) : std::nullopt;
  if (!address) return bad(field + "[0]", "must be an IPv4 or IPv6 address");
  result.address = *address;
  if (!item[1].is_int64() || item[1].as_int64() < 1 || item[1].as_int64() > 65535) {
    return bad(field + "[1]", "must be a port 1..65535");
  }
  result.port = static_cast<std::uint16_t>(item[1].as_int64());
  if (!item[2].is_string() || (item[2].as_string() != "tcp" && item[2].as_string() != "udp")) {
    return bad(field + "[2]", "must be \"tcp\" or \"udp\"");
  }
  result.protocol = item[2].as_string() == "udp" ? scan::Protocol::kUdp : scan::Protocol::kTcp;
  bool known = false;
  for (const scan::PortState state : kStates) {
    if (item[3].is_string() && item[3].as_string() == scan::to_string(state)) {
      result.state = state;
      known = true;
    }
  }
  if (!known) return bad(field + "[3]", "must be a port state");
  if (result.state == scan::PortState::kOpenFiltered && result.protocol != scan::Protocol::kUdp) {
    return bad(field + "[3]", "open|filtered is a UDP state");
  }
  return result;
}

bool is_phase(std::string_view phase) {
  return phase == "discovery" || phase == "ports" || phase == "services";
}

/// A shard in a confined child, seen from the agent.
class ConfinedExecution final : public ShardExecution {
 public:
  ConfinedExecution(ConfinedProcess process, SandboxOptions sandbox, std::string method,
                    std::string reason)
      : process_(process),
        sandbox_(std::move(sandbox)),
        method_(std::move(method)),
        reason_(std::move(reason)) {}

  ~ConfinedExecution() override {
    std::lock_guard lock(mutex_);
    if (!reaped_) {
      (void)finish_confined(process_, true, sandbox_);
      reaped_ = true;
    }
  }

  const std::string& method() const override { return method_; }
  const std::string& reason() const override { return reason_; }

  ShardCounters progress() const override {
    std::lock_guard lock(mutex_);
    return progress_;
  }

  void cancel() override {
    cancelled_ = true;
    std::lock_guard lock(mutex_);
    if (!reaped_) ::kill(process_.pid, SIGKILL);
  }

  Result<scan::ScanOutcome> run(const ShardSink& sink) override {
    std::optional<ScanWorkerEvent::Done> done;
    std::optional<Error> malformed;
    while (!done) {
      auto frame = read_frame(process_.output_fd, std::nullopt);
      if (!frame) break;  // the child ended (or was killed): its status says how
      auto event = decode_worker_event(*frame);
      if (!event) {
        malformed =
            internal_error("the scan worker sent a malformed frame: " + event.error().message);
        break;
      }
      // A host found up comes before its ports (a frame's hosts were found before its results).
      for (const scanner::FoundHost& host : event->hosts) sink.on_host(host);
      for (const scan::PortResult& result : event->results) sink.on_result(result);
      for (const scanner::FoundHost& host : event->services) {
        for (const scanner::FoundPort& port : host.ports) sink.on_service(host.address, port);
      }
      for (const std::string& warning : event->warnings) sink.on_warning(warning);
      if (event->progress || !event->phase.empty()) {
        std::lock_guard lock(mutex_);
        if (event->progress) progress_.scan = *event->progress;
        if (!event->phase.empty()) progress_.phase = event->phase;
      }
      done = event->done;
    }
    // A child that sent garbage is killed; one whose stream ended has ended (or closed its
    // end and hangs, until a cancel kills it).
    const Status ended = reap(malformed.has_value());
    if (cancelled_) return scan::ScanOutcome::kCancelled;
    if (malformed) return *malformed;
    if (!done) {
      if (!ended) return ended.error();
      return internal_error("the scan worker ended without finishing the shard");
    }
    if (!done->error.empty()) return internal_error(done->error);
    return done->cancelled ? scan::ScanOutcome::kCancelled : scan::ScanOutcome::kCompleted;
  }

 private:
  // Waits for the child's end without reaping it (so that cancel() never signals a pid that
  // was reused), then reaps it under the lock and says how it ended.
  Status reap(bool kill) {
    if (kill) {
      std::lock_guard lock(mutex_);
      ::kill(process_.pid, SIGKILL);
    }
    siginfo_t info{};
    while (::waitid(P_PID, static_cast<id_t>(process_.pid), &info, WEXITED | WNOWAIT) != 0 &&
           errno == EINTR) {
    }
    std::lock_guard lock(mutex_);
    reaped_ = true;
    // A child killed here (a malformed frame) is not a death to report: kill = true.
    return finish_confined(process_, kill, sandbox_);
  }

  ConfinedProcess process_;
  SandboxOptions sandbox_;
  std::string method_;
  std::string reason_;
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;  // guards progress_, reaped_ and process_ once run() ends
  ShardCounters progress_;
  bool reaped_ = false;
};

}  // namespace

std::string encode_worker_event(const ScanWorkerEvent& event) {
  json::object out;
  if (!event.hosts.empty()) {
    json::array hosts;
    hosts.reserve(event.hosts.size());
    for (const scanner::FoundHost& host : event.hosts) {
      hosts.push_back(scanner::found_host_json(host));
    }
    out["hosts"] = std::move(hosts);
  }
  if (!event.results.empty()) {
    json::array results;
    results.reserve(event.results.size());
    for (const scan::PortResult& result : event.results) {
      results.push_back(json::array{json::string(result.address.to_string()), result.port,
                                    json::string(protocol_name(result.protocol)),
                                    json::string(scan::to_string(result.state))});
    }
    out["results"] = std::move(results);
  }
  if (!event.services.empty()) {
    json::array services;
    for (const scanner::FoundHost& host : event.services) {
      services.push_back(scanner::found_host_json(host));
    }
    out["services"] = std::move(services);
  }
  if (!event.warnings.empty()) {
    json::array warnings;
    for (const std::string& warning : event.warnings) warnings.emplace_back(warning);
    out["warnings"] = std::move(warnings);
  }
  if (event.progress) {
    const scan::ScanProgress& progress = *event.progress;
    out["progress"] = json::object{{"pairs_total", progress.pairs_total},
                                   {"pairs_done", progress.pairs_done},
                                   {"probes_sent", progress.probes_sent},
                                   {"open_found", progress.open_found},
                                   {"rate", progress.probes_per_second}};
  }
  if (!event.phase.empty()) out["phase"] = event.phase;
  if (event.done) {
    out["done"] = json::object{{"error", event.done->error}, {"cancelled", event.done->cancelled}};
  }
  return json::serialize(out);
}

Result<ScanWorkerEvent> decode_worker_event(std::string_view payload) {
  boost::system::error_code ec;
  json::value value = json::parse(payload, ec);
  if (ec || !value.is_object()) return bad("frame", "not a JSON object");
  const json::object& object = value.as_object();
  for (const auto& entry : object) {
    const std::string_view key = entry.key();
    if (key != "hosts" && key != "results" && key != "services" && key != "warnings" &&
        key != "progress" && key != "phase" && key != "done") {
      // Not echoed: the key is the worker's, any length and any bytes.
      return bad("frame", "holds an unknown field");
    }
  }
  ScanWorkerEvent event;
  Error error;
  if (const json::array* hosts = list(object, "hosts", kMaxHostsPerEvent, error)) {
    for (std::size_t i = 0; i < hosts->size(); ++i) {
      const std::string field = fmt::format("hosts[{}]", i);
      auto host = scanner::found_host_from_json((*hosts)[i], field);
      if (!host) return bad(field, host.error().message);
      // Found up by discovery: it says how, and its ports come as results.
      if (host->reason.empty()) return bad(field + ".reason", "missing");
      if (!host->ports.empty()) return bad(field + ".ports", "must be empty");
      event.hosts.push_back(std::move(*host));
    }
  } else if (!error.message.empty()) {
    return error;
  }
  if (const json::array* results = list(object, "results", kMaxResultsPerEvent, error)) {
    for (std::size_t i = 0; i < results->size(); ++i) {
      SENTINEL_ASSIGN(result, decode_result((*results)[i], fmt::format("results[{}]", i)));
      event.results.push_back(result);
    }
  } else if (!error.message.empty()) {
    return error;
  }
  if (const json::array* services = list(object, "services", kMaxServicesPerEvent, error)) {
    for (std::size_t i = 0; i < services->size(); ++i) {
      auto host = scanner::found_host_from_json((*services)[i], fmt::format("services[{}]", i));
      if (!host) return bad(fmt::format("services[{}]", i), host.error().message);
      event.services.push_back(std::move(*host));
    }
  } else if (!error.message.empty()) {
    return error;
  }
  if (const json::array* warnings = list(object, "warnings", kMaxWarningsPerEvent, error)) {
    for (std::size_t i = 0; i < warnings->size(); ++i) {
      SENTINEL_ASSIGN(warning, text((*warnings)[i], fmt::format("warnings[{}]", i)));
      event.warnings.push_back(std::move(warning));
    }
  } else if (!error.message.empty()) {
    return error;
  }
  if (const json::value* progress = object.if_contains("progress")) {
    if (!progress->is_object() || progress->as_object().size() != 5) {
      return bad("progress", "must be {pairs_total, pairs_done, probes_sent, open_found, rate}");
    }
    const json::object& fields = progress->as_object();
    scan::ScanProgress counters;
    SENTINEL_ASSIGN(total, counter(fields, "pairs_total", "progress"));
    SENTINEL_ASSIGN(pairs_done, counter(fields, "pairs_done", "progress"));
    SENTINEL_ASSIGN(sent, counter(fields, "probes_sent", "progress"));
    SENTINEL_ASSIGN(open, counter(fields, "open_found", "progress"));
    if (pairs_done > total) return bad("progress.pairs_done", "more than pairs_total");
    const json::value* rate = fields.if_contains("rate");
    if (rate == nullptr || !rate->is_number()) return bad("progress.rate", "must be a number");
    const double per_second = rate->to_number<double>();
    if (!(per_second >= 0) || per_second > 1e12) return bad("progress.rate", "out of range");
    counters.pairs_total = total;
    counters.pairs_done = pairs_done;
    counters.probes_sent = sent;
    counters.open_found = open;
    counters.probes_per_second = per_second;
    event.progress = counters;
  }
  if (const json::value* phase = object.if_contains("phase")) {
    if (!phase->is_string() || !is_phase(phase->as_string())) {
      return bad("phase", "must be \"discovery\", \"ports\" or \"services\"");
    }
    event.phase = std::string(phase->as_string());
  }
  if (const json::value* done = object.if_contains("done")) {
    const json::value* error_text =
        done->is_object() ? done->as_object().if_contains("error") : nullptr;
    const json::value* cancelled =
        done->is_object() ? done->as_object().if_contains("cancelled") : nullptr;
    if (error_text == nullptr || cancelled == nullptr || !cancelled->is_bool() ||
        done->as_object().size() != 2) {
      return bad("done", "must be {\"error\": string, \"cancelled\": bool}");
    }
    SENTINEL_ASSIGN(message, text(*error_text, "done.error"));
    event.done =
        ScanWorkerEvent::Done{.error = std::move(message), .cancelled = cancelled->as_bool()};
  }
  return event;
}

int run_scan_worker(int fd, InProcessShardEngine& engine) {
  auto frame = read_frame(fd, std::nullopt);
  if (!frame) return 1;
  boost::system::error_code ec;
  json::value request = json::parse(*frame, ec);
  if (ec || !request.is_object()) return 1;
  auto start = scanner::decode_shard_start(request.as_object());
  if (!start) {
    return write_frame(fd, encode_response(start.error())) ? 0 : 1;
  }
  auto prepared = engine.prepare(*start);
  if (!prepared) return write_frame(fd, encode_response(prepared.error())) ? 0 : 1;
  ShardExecution& execution = **prepared;
  if (!write_frame(fd, encode_response(json::object{{"method", execution.method()},
                                                    {"reason", execution.reason()}}))) {
    return 1;
  }
  WorkerEventWriter writer(fd, execution);
  if (!writer.flush()) return 1;  // the counters from the start: pairs_total
  const ShardSink sink = writer.sink();
  const Result<scan::ScanOutcome> outcome = execution.run(sink);
  return writer.finish(outcome) ? 0 : 1;
}

[[noreturn]] void scan_worker_main(const std::vector<std::string_view>& arguments,
                                   const ScanWorkerBody& body) {
  constexpr int kResultFd = 3;  // where spawn_confined_exec put the socket
  // Before anything reads a byte: what is parsed from here on may come from a hostile network.
  const Status confined = arguments.empty()
                              ? Status(invalid_argument("no confinement", "confinement"))
                              : confine_exec_worker(arguments.back());
  if (!confined) {
    (void)write_frame(
        kResultFd,
        encode_response(internal_error("the scan worker could not be confined (it never ran "
                                       "unconfined): " +
                                       confined.error().message)));
    ::_exit(125);
  }
  // A write to a socket whose peer is gone fails with EPIPE (the agent ignores it too).
  ::signal(SIGPIPE, SIG_IGN);
  ShardEngineOptions engine_options;
  for (std::size_t i = 0; i + 1 < arguments.size(); ++i) {
    if (arguments[i] == "--builtin-probes") {
      engine_options.probes =
          std::make_shared<const scan::ServiceProbes>(scan::ServiceProbes::builtin());
    } else {
      (void)write_frame(
          kResultFd,
          encode_response(invalid_argument(
              fmt::format("scan worker: unknown argument '{}'", arguments[i]), "arguments")));
      ::_exit(1);
    }
  }
  InProcessShardEngine engine(std::move(engine_options));
  int code = 1;
  try {
    code = body(kResultFd, engine);
  } catch (...) {
    code = 1;
  }
  ::_exit(code);
}

ConfinedShardEngine::ConfinedShardEngine(ConfinedShardEngineOptions options)
    : options_(std::move(options)),
      image_(options_.executable.empty()
                 ? Result<WorkerImage>(invalid_argument("no scan worker image", "executable"))
                 : WorkerImage::open(options_.executable)) {
  options_.sandbox.scanner = true;
  options_.sandbox.name = "scan worker";
  options_.sandbox.max_cpu_seconds = options_.max_cpu_seconds;
  if (options_.builtin_probes) options_.arguments.emplace_back("--builtin-probes");
}

Result<std::unique_ptr<ShardExecution>> ConfinedShardEngine::prepare(
    const scanner::ShardStart& start) {
  if (!image_) return image_.error();
  SENTINEL_ASSIGN(child, spawn_confined_exec(*image_, options_.arguments, options_.sandbox));
  const auto fail = [&](const Error& why) -> Error {
    // A child that died says so; one that answered oddly or too late is killed.
    Status ended = finish_confined(child, true, options_.sandbox);
    return ended ? why : ended.error();
  };
  if (Status sent = write_frame(child.output_fd, json::serialize(scanner::encode(start))); !sent) {
    return fail(unavailable("the scan worker did not take the shard: " + sent.error().message));
  }
  auto frame = read_frame(child.output_fd, options_.start_timeout);
  if (!frame) {
    return fail(unavailable("the scan worker did not answer the shard: " + frame.error().message));
  }
  auto answer = decode_response(*frame, "the scan worker");
  if (!answer) {
    (void)finish_confined(child, true, options_.sandbox);
    return answer.error();  // the plan's error as the engine said it
  }
  const json::value* method = answer->if_contains("method");
  const json::value* reason = answer->if_contains("reason");
  if (method == nullptr || !method->is_string() || reason == nullptr || !reason->is_string() ||
      method->as_string().size() > 64 || reason->as_string().size() > kMaxWorkerTextBytes) {
    return fail(internal_error("the scan worker sent a malformed answer"));
  }
  return std::unique_ptr<ShardExecution>(std::make_unique<ConfinedExecution>(
      child, options_.sandbox, std::string(method->as_string()), std::string(reason->as_string())));
}

}  // namespace sentinel::agent
