// A small STS stand-in for unit tests: a real HTTP server on 127.0.0.1 (cpp-httplib) that verifies
// every request's SigV4 signature against the keys it knows, issues temporary credentials, and
// can be scripted to fail. End-to-end tests use moto and the lab; this is for the library's
// seams (retries, hop errors, parameters on the wire) where a scripted peer is clearer.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/system.h"

namespace httplib {
class Server;
}

namespace hubspoke::testing {

struct StsCall {
  std::string action;
  std::string access_key_id;  // who signed it
  std::map<std::string, std::string> params;
  bool signature_ok = false;
  int client_port = 0;  // the caller's TCP port: equal ports mean one kept-alive connection
};

struct ScriptedFailure {
  int status;
  std::string code;  // empty: a non-XML body
};

class FakeSts {
 public:
  FakeSts();
  ~FakeSts();
  std::string url() const { return url_; }

  // A long-term key the server accepts, for the identity `arn`.
  void AddKey(const std::string& access_key_id, const std::string& secret, const std::string& arn);
  // AssumeRole on this role ARN answers AccessDenied.
  void DenyRole(const std::string& role_arn);
  // The next requests fail like this, in order, before normal service resumes.
  void FailNext(ScriptedFailure failure);

  std::vector<StsCall> calls() const;
  // Every secret and token the server issued or knows, for leak checks.
  std::vector<std::string> secrets() const;

 private:
  struct Identity {
    std::string secret;
    std::string token;  // empty for long-term keys
    std::string arn;
  };
  void Handle(const void* request, void* response);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string url_;
  mutable std::mutex mu_;
  std::map<std::string, Identity> keys_;
  std::set<std::string> denied_;
  std::deque<ScriptedFailure> failures_;
  std::vector<StsCall> calls_;
  int counter_ = 0;
};

// Test seams: the one fake clock, a logger that keeps lines, randomness that always picks the
// maximum.
//
// The clock starts at `start` (default: now, to the second) and moves only when told to or when
// someone sleeps on it: a sleep is recorded and advances it at once. Monotonic() is the real
// steady clock, so network deadlines still hold.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(TimePoint start = std::chrono::time_point_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now()))
      : now_(start) {}
  TimePoint Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  std::chrono::steady_clock::time_point Monotonic() const override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::milliseconds d) const override {
    std::lock_guard<std::mutex> lock(mu_);
    sleeps_.push_back(d);
    now_ += d;
  }
  template <typename Duration>
  void Advance(Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += std::chrono::duration_cast<std::chrono::milliseconds>(d);
  }
  void Set(TimePoint t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  mutable TimePoint now_;
  mutable std::vector<std::chrono::milliseconds> sleeps_;
};

class CapturingLogger final : public Logger {
 public:
  void Log(LogLevel, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    text_ += std::string(message) + "\n";
  }
  bool Enabled(LogLevel) const override { return true; }
  std::string text() const {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }

 private:
  mutable std::mutex mu_;
  std::string text_;
};

class MaxRandom final : public Random {
 public:
  std::uint64_t Below(std::uint64_t bound) override { return bound == 0 ? 0 : bound - 1; }
};

}  // namespace hubspoke::testing
