// The seams to the operating system. Everything outside src/sys/, src/http/ and main receives a
// SystemContext instead of calling getenv, the clock, the network or fork itself, so tests can
// fix time, environment, files, logging and child processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/file_system.h"
#include "hubspoke/http.h"
#include "hubspoke/process_runner.h"

namespace hubspoke {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  virtual std::chrono::steady_clock::time_point Monotonic() const = 0;
  virtual void SleepFor(std::chrono::milliseconds duration) const = 0;
};

class Environment {
 public:
  virtual ~Environment() = default;
  // The value of a variable; an empty value counts as set (callers decide what empty means).
  virtual std::optional<std::string> Get(std::string_view name) const = 0;
  // Every variable, in the order the process received them.
  virtual std::vector<std::pair<std::string, std::string>> All() const = 0;
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Security: callers never pass secrets to a Logger; tests capture the log and assert that.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, std::string_view message) = 0;
  virtual bool Enabled(LogLevel level) const = 0;
};

// Randomness for retry jitter.
class Random {
 public:
  virtual ~Random() = default;
  virtual std::uint64_t Below(std::uint64_t bound) = 0;  // uniform in [0, bound)
};

struct SystemContext {
  const Clock& clock;
  const Environment& env;
  HttpTransport& http;
  Logger& log;
  Random& random;
  FileSystem& files;  // every file read or written by path (hubspoke/file_system.h)
  ProcessRunner& processes;  // every child process is started through it
};

// Real implementations.
const Clock& SystemClock();
// The process environment, snapshotted at construction.
std::unique_ptr<Environment> MakeProcessEnvironment();
// An environment from a map, for tests and for library callers who want to control it.
std::unique_ptr<Environment> MakeMapEnvironment(std::vector<std::pair<std::string, std::string>> vars);
// Writes "assume-spoke-role: message" lines to stderr at `min_level` and above.
std::unique_ptr<Logger> MakeStderrLogger(LogLevel min_level);
// As MakeStderrLogger, but for servers: Log() only appends the line to a buffer and a background
// thread writes it to `fd` (at once when lines are sparse; under load, in batches about once a
// millisecond, without waking the writer per line), so a slow log file never stalls a request.
// Lines are never reordered; if the buffer reaches 16 MiB (the file stopped taking writes)
// further lines are dropped and counted, and a line saying how many is written once writing
// works again. The destructor writes everything left.
std::unique_ptr<Logger> MakeBackgroundLogger(int fd, LogLevel min_level);
std::unique_ptr<Logger> MakeNullLogger();
std::unique_ptr<Random> MakeSystemRandom();

// Reads AWS_CA_BUNDLE, https_proxy/HTTPS_PROXY, http_proxy/HTTP_PROXY, no_proxy/NO_PROXY (the
// lower-case name first, as curl does).
HttpClientOptions HttpClientOptionsFromEnvironment(const Environment& env);

// A SystemContext wired to the real OS, owning its parts.
class RealSystem {
 public:
  explicit RealSystem(LogLevel log_level = LogLevel::kWarning);
  ~RealSystem();
  RealSystem(const RealSystem&) = delete;
  RealSystem& operator=(const RealSystem&) = delete;
  SystemContext context() const;

 private:
  std::unique_ptr<Environment> env_;
  std::unique_ptr<HttpTransport> http_;
  std::unique_ptr<Logger> log_;
  std::unique_ptr<Random> random_;
  std::unique_ptr<FileSystem> files_;
  std::unique_ptr<ProcessRunner> processes_;
};

}  // namespace hubspoke
