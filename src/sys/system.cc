#include "hubspoke/system.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <thread>

extern char** environ;

namespace hubspoke {
namespace {

class RealClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::milliseconds d) const override { std::this_thread::sleep_for(d); }
};

class MapEnvironment final : public Environment {
 public:
  explicit MapEnvironment(std::vector<std::pair<std::string, std::string>> vars)
      : vars_(std::move(vars)) {}
  std::optional<std::string> Get(std::string_view name) const override {
    // The last definition wins, as with setenv over an inherited variable.
    for (auto it = vars_.rbegin(); it != vars_.rend(); ++it)
      if (it->first == name) return it->second;
    return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> All() const override { return vars_; }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

class StderrLogger final : public Logger {
 public:
  explicit StderrLogger(LogLevel min) : min_(min) {}
  void Log(LogLevel level, std::string_view message) override {
    if (!Enabled(level)) return;
    const char* tag = level == LogLevel::kError     ? "error: "
                      : level == LogLevel::kWarning ? "warning: "
                                                    : "";
    std::lock_guard<std::mutex> lock(mu_);
    std::fprintf(stderr, "assume-spoke-role: %s%.*s\n", tag, static_cast<int>(message.size()),
                 message.data());
  }
  bool Enabled(LogLevel level) const override { return level >= min_; }

 private:
  LogLevel min_;
  std::mutex mu_;
};

const char* LevelTag(LogLevel level) {
  return level == LogLevel::kError ? "error: " : level == LogLevel::kWarning ? "warning: " : "";
}

class BackgroundLogger final : public Logger {
 public:
  BackgroundLogger(int fd, LogLevel min) : fd_(fd), min_(min), writer_([this] { Loop(); }) {}
  ~BackgroundLogger() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    writer_.join();
  }
  void Log(LogLevel level, std::string_view message) override {
    if (!Enabled(level)) return;
    bool wake = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (pending_.size() >= kMaxPending) {
        ++dropped_;
        return;
      }
      const std::size_t before = pending_.size();
      pending_ += "assume-spoke-role: ";
      pending_ += LevelTag(level);
      pending_ += message;
      pending_ += '\n';
      const std::size_t added = pending_.size() - before;
      // An idle writer is woken at once; a busy or lingering one takes the line with its next
      // batch, unless the batch has grown big enough to be worth writing now.
      wake = writer_idle_ || (pending_.size() >= kBatch && pending_.size() - added < kBatch);
      writer_idle_ = false;
    }
    if (wake) wake_.notify_one();
  }
  bool Enabled(LogLevel level) const override { return level >= min_; }

 private:
  static constexpr std::size_t kMaxPending = 16 * 1024 * 1024;
  static constexpr std::size_t kBatch = 64 * 1024;
  // Under load (a line arrived less than this after the writer went idle) the writer, after each
  // write, waits this long for more lines before it writes again or goes idle, and Log() does
  // not signal it meanwhile: it wakes on its own about 1000 times a second instead of once per
  // line (a futex wake per request cost the lab ~10% of its CPU). Otherwise, and always for a
  // line that wakes it from idle, it writes at once, so a quiet log is never behind.
  static constexpr std::chrono::microseconds kLinger{1000};

  void Loop() {
    std::string out;
    std::unique_lock<std::mutex> lock(mu_);
    bool linger = false;
    while (true) {
      if (linger) {
        wake_.wait_for(lock, kLinger, [this] { return stop_ || pending_.size() >= kBatch; });
      }
      if (pending_.empty() && !stop_) {
        writer_idle_ = true;
        const auto idle_from = std::chrono::steady_clock::now();
        wake_.wait(lock, [this] { return stop_ || !pending_.empty(); });
        writer_idle_ = false;  // woken by a line: it is written at once
        linger = std::chrono::steady_clock::now() - idle_from < kLinger;
      }
      out.swap(pending_);
      const std::uint64_t dropped = std::exchange(dropped_, 0);
      const bool stopping = stop_;
      lock.unlock();
      if (dropped > 0) {
        out += "assume-spoke-role: warning: " + std::to_string(dropped) +
               " log lines dropped (the log was not being written fast enough)\n";
      }
      WriteAll(out);
      out.clear();
      lock.lock();
      if (stopping && pending_.empty()) return;
    }
  }

  void WriteAll(const std::string& text) const {
    std::size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;  // nowhere to report it
      done += static_cast<std::size_t>(n);
    }
  }

  const int fd_;
  const LogLevel min_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::string pending_;
  std::uint64_t dropped_ = 0;
  bool stop_ = false;
  bool writer_idle_ = false;
  std::thread writer_;  // last: starts after everything it uses
};

class NullLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view) override {}
  bool Enabled(LogLevel) const override { return false; }
};

class SystemRandom final : public Random {
 public:
  SystemRandom() : gen_(std::random_device{}()) {}
  std::uint64_t Below(std::uint64_t bound) override {
    if (bound == 0) return 0;
    std::lock_guard<std::mutex> lock(mu_);
    return std::uniform_int_distribution<std::uint64_t>(0, bound - 1)(gen_);
  }

 private:
  std::mutex mu_;
  std::mt19937_64 gen_;
};

std::string FirstSet(const Environment& env, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    auto v = env.Get(name);
    if (v && !v->empty()) return *v;
  }
  return "";
}

}  // namespace

const Clock& SystemClock() {
  static const RealClock clock;
  return clock;
}

std::unique_ptr<Environment> MakeProcessEnvironment() {
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    vars.emplace_back(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return std::make_unique<MapEnvironment>(std::move(vars));
}

std::unique_ptr<Environment> MakeMapEnvironment(
    std::vector<std::pair<std::string, std::string>> vars) {
  return std::make_unique<MapEnvironment>(std::move(vars));
}

std::unique_ptr<Logger> MakeStderrLogger(LogLevel min_level) {
  return std::make_unique<StderrLogger>(min_level);
}
std::unique_ptr<Logger> MakeNullLogger() { return std::make_unique<NullLogger>(); }
std::unique_ptr<Logger> MakeBackgroundLogger(int fd, LogLevel min_level) {
  return std::make_unique<BackgroundLogger>(fd, min_level);
}

std::unique_ptr<Random> MakeSystemRandom() { return std::make_unique<SystemRandom>(); }

HttpClientOptions HttpClientOptionsFromEnvironment(const Environment& env) {
  HttpClientOptions o;
  o.ca_bundle = FirstSet(env, {"AWS_CA_BUNDLE"});
  o.https_proxy = FirstSet(env, {"https_proxy", "HTTPS_PROXY"});
  o.http_proxy = FirstSet(env, {"http_proxy", "HTTP_PROXY"});
  o.no_proxy = FirstSet(env, {"no_proxy", "NO_PROXY"});
  return o;
}

RealSystem::RealSystem(LogLevel log_level)
    : env_(MakeProcessEnvironment()),
      http_(MakeHttpClient(HttpClientOptionsFromEnvironment(*env_))),
      log_(MakeStderrLogger(log_level)),
      random_(MakeSystemRandom()),
      files_(MakeRealFileSystem()),
      processes_(MakeRealProcessRunner()) {}

RealSystem::~RealSystem() = default;

SystemContext RealSystem::context() const {
  return SystemContext{SystemClock(), *env_, *http_, *log_, *random_, *files_, *processes_};
}

}  // namespace hubspoke
