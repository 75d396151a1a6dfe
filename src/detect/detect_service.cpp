#include "sentinel/detect/detect_service.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "normaliser.h"
#include "rule_catalog.h"
#include "sentinel/detection/engine.h"

namespace sentinel::detect {
namespace {

constexpr std::chrono::milliseconds kFullQueueWait{100};
constexpr std::int64_t kHostNameTtlMs = 60'000;

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    if (auto existing = spdlog::get("detect")) return existing;
    auto created = spdlog::default_logger()->clone("detect");
    spdlog::register_logger(created);
    return created;
  }();
  return instance;
}

class DetectServiceImpl final : public DetectService {
 public:
  DetectServiceImpl(bus::Bus& bus, DetectOptions options, HostNameLookup host_names,
                    DetectionSink sink, MetricsRegistry& metrics, const Clock& clock)
      : bus_(bus),
        options_(std::move(options)),
        host_names_(std::move(host_names)),
        sink_(std::move(sink)),
        metrics_(metrics),
        clock_(clock),
        catalog_(options_.rules_dirs, options_.builtin_pack),
        engine_(install(catalog_.load())) {}

  ~DetectServiceImpl() override { stop(); }

  std::string_view name() const override { return "detect"; }

  Status start() override {
    thread_ = std::thread([this] { run(); });
    subscription_ =
        bus_.subscribe("event", [this](const bus::Message& message) { enqueue(message); });
    return ok();
  }

  void stop() override {
    subscription_.reset();
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  RulesStatus status() const override {
    std::lock_guard lock(status_mutex_);
    return status_;
  }

  RulesStatus reload() override {
    std::shared_ptr<const detection::RuleSet> rules;
    {
      std::lock_guard lock(catalog_mutex_);
      rules = install(catalog_.load());
    }
    {
      std::lock_guard lock(mutex_);
      pending_rules_ = std::move(rules);
    }
    wake_.notify_all();
    return status();
  }

  void flush() override {
    std::unique_lock lock(mutex_);
    const std::uint64_t target = enqueued_;
    drained_.wait(lock, [&] { return evaluated_ >= target || stopping_; });
  }

 private:
  // Publishes the status of a fresh load and returns its rule set.
  std::shared_ptr<const detection::RuleSet> install(detection::RuleLoad load) {
    std::size_t problems = 0;
    for (const detection::RuleFileReport& file : load.files) {
      problems += file.problems.size();
      for (const detection::RuleProblem& problem : file.problems) {
        logger()->warn("rule problem {}:{}:{}: {}", problem.file, problem.line, problem.column,
                       problem.reason);
      }
    }
    RulesStatus fresh{load.rules->rules(), std::move(load.files), clock_.now_ms()};
    logger()->info("rules loaded rules={} files={} problems={}", fresh.rules.size(),
                   fresh.files.size(), problems);
    metrics_.set_gauge("sentinel_detect_rules", "Rules loaded", {},
                       static_cast<double>(fresh.rules.size()));
    metrics_.set_gauge("sentinel_detect_rule_problems", "Problems in the rule files", {},
                       static_cast<double>(problems));
    {
      std::lock_guard lock(status_mutex_);
      status_ = std::move(fresh);
    }
    return std::move(load.rules);
  }

  void enqueue(const bus::Message& message) {
    std::unique_lock lock(mutex_);
    if (queue_.size() >= options_.queue_events) {
      // Ingest is upstream and the event is stored: wait a little, then count and skip it.
      space_.wait_for(lock, kFullQueueWait,
                      [&] { return queue_.size() < options_.queue_events || stopping_; });
      if (queue_.size() >= options_.queue_events || stopping_) {
        metrics_.count("sentinel_detect_dropped_total",
                       "Events not evaluated because the detect queue was full", {});
        return;
      }
    }
    queue_.push_back(message.payload);
    ++enqueued_;
    wake_.notify_one();
  }

  void run() {
    auto next_rescan = std::chrono::steady_clock::now() + options_.rescan_interval;
    std::deque<std::string> batch;
    std::vector<detection::Detection> found;
    while (true) {
      std::shared_ptr<const detection::RuleSet> rules;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_until(lock, next_rescan,
                         [&] { return stopping_ || !queue_.empty() || pending_rules_; });
        if (stopping_) break;
        batch.swap(queue_);
        rules = std::move(pending_rules_);
      }
      space_.notify_all();
      if (rules) engine_.replace_rules(std::move(rules));
      for (const std::string& payload : batch) evaluate(payload, found);
      const auto evaluated = batch.size();
      batch.clear();
      {
        std::lock_guard lock(mutex_);
        evaluated_ += evaluated;
      }
      drained_.notify_all();
      if (std::chrono::steady_clock::now() >= next_rescan) {
        next_rescan = std::chrono::steady_clock::now() + options_.rescan_interval;
        rescan();
      }
    }
    std::lock_guard lock(mutex_);
    evaluated_ = enqueued_;
    drained_.notify_all();
  }

  void evaluate(const std::string& payload, std::vector<detection::Detection>& found) {
    Result<detection::Event> event =
        normalise(payload, [this](const std::string& agent_id) { return host_name(agent_id); });
    if (!event) {
      metrics_.count("sentinel_detect_malformed_total", "Bus event messages that did not parse",
                     {});
      return;
    }
    found.clear();
    engine_.evaluate(*event, found);
    metrics_.count("sentinel_detect_events_total", "Events evaluated by the rule engine", {});
    for (const detection::Detection& detection : found) {
      metrics_.count("sentinel_detect_detections_total", "Rule matches",
                     {{"rule", detection.rule_id}});
      sink_(detection);
    }
  }

  std::string host_name(const std::string& agent_id) {
    if (!host_names_ || agent_id.empty()) return {};
    const std::int64_t now = clock_.now_ms();
    auto it = host_cache_.find(agent_id);
    if (it == host_cache_.end() || now - it->second.second > kHostNameTtlMs) {
      if (host_cache_.size() > 100000) host_cache_.clear();
      it = host_cache_.insert_or_assign(agent_id, std::pair{host_names_(agent_id), now}).first;
    }
    return it->second.first;
  }

  // Re-reads the directories when a file in them changed.
  void rescan() {
    bool changed = false;
    {
      std::lock_guard lock(catalog_mutex_);
      changed = catalog_.changed();
    }
    if (!changed) return;
    logger()->info("rule files changed; reloading");
    std::shared_ptr<const detection::RuleSet> rules;
    {
      std::lock_guard lock(catalog_mutex_);
      rules = install(catalog_.load());
    }
    engine_.replace_rules(std::move(rules));
  }

  bus::Bus& bus_;
  const DetectOptions options_;
  const HostNameLookup host_names_;
  const DetectionSink sink_;
  MetricsRegistry& metrics_;
  const Clock& clock_;

  std::mutex catalog_mutex_;  // catalog_: reloads from the API and from the rescan
  RuleCatalog catalog_;
  mutable std::mutex status_mutex_;
  RulesStatus status_;

  detection::Engine engine_;  // the detect thread only
  std::unordered_map<std::string, std::pair<std::string, std::int64_t>> host_cache_;

  std::mutex mutex_;  // guards everything below
  std::condition_variable wake_;
  std::condition_variable space_;
  std::condition_variable drained_;
  std::deque<std::string> queue_;
  std::shared_ptr<const detection::RuleSet> pending_rules_;
  std::uint64_t enqueued_ = 0;
  std::uint64_t evaluated_ = 0;
  bool stopping_ = false;

  std::unique_ptr<bus::Subscription> subscription_;
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<DetectService>> DetectService::create(bus::Bus& bus, DetectOptions options,
                                                             HostNameLookup host_names,
                                                             DetectionSink sink,
                                                             MetricsRegistry& metrics,
                                                             const Clock& clock) {
  if (!sink) return invalid_argument("detect: a detection sink is required");
  if (options.queue_events == 0) return invalid_argument("detect: queue_events must be positive");
  return std::unique_ptr<DetectService>(new DetectServiceImpl(
      bus, std::move(options), std::move(host_names), std::move(sink), metrics, clock));
}

}  // namespace sentinel::detect
