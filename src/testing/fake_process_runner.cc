#include "testing/fake_process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <thread>

namespace hubspoke::testing {

struct FakeProcessRunner::State {
  mutable std::mutex mu;
  std::deque<FakeOutcome> script;
  std::vector<ProcessSpec> specs;
  std::vector<std::vector<int>> signals;
};

namespace {

using SteadyClock = std::chrono::steady_clock;
// Above PID_MAX_LIMIT (2^22): never a real process.
constexpr pid_t kFirstFakePid = 5'000'000;

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// A descriptor that reads `bytes` then end-of-file (a memfd), or, with keep_open, a pipe holding
// them whose write end *write_end keeps open.
int OutputFd(const std::string& bytes, bool keep_open, int* write_end) {
  if (!keep_open) {
    int fd = memfd_create("fake-child-output", MFD_CLOEXEC);
    if (fd < 0) return -1;
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    lseek(fd, 0, SEEK_SET);
    return fd;
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return -1;
  if (!bytes.empty()) {
    ssize_t n = write(p[1], bytes.data(), std::min<std::size_t>(bytes.size(), 65536));
    (void)n;
  }
  *write_end = p[1];
  return p[0];
}

class FakeChild final : public ChildProcess {
 public:
  FakeChild(std::shared_ptr<FakeProcessRunner::State> state, std::size_t index, pid_t pid,
            const ProcessSpec& spec, FakeOutcome outcome)
      : state_(std::move(state)),
        index_(index),
        pid_(pid),
        own_group_(spec.new_process_group),
        outcome_(std::move(outcome)),
        exits_at_(SteadyClock::now() + outcome_.delay) {
    if (spec.stdout_mode == ProcessSpec::Output::kPipe)
      stdout_ = OutputFd(outcome_.stdout_bytes, outcome_.never_exits, &stdout_write_);
    if (spec.stderr_mode == ProcessSpec::Output::kPipe)
      stderr_ = OutputFd(outcome_.stderr_bytes, outcome_.never_exits, &stderr_write_);
  }
  ~FakeChild() override {
    for (int* fd : {&stdout_, &stdout_write_, &stderr_, &stderr_write_}) CloseFd(*fd);
  }

  pid_t pid() const override { return pid_; }
  int stdout_fd() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stdout_;
  }
  int stderr_fd() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return stderr_;
  }
  void CloseStdout() override {
    std::lock_guard<std::mutex> lock(mu_);
    CloseFd(stdout_);
  }
  void CloseStderr() override {
    std::lock_guard<std::mutex> lock(mu_);
    CloseFd(stderr_);
  }

  Result<ProcessExit> Wait() override {
    for (;;) {
      auto r = TryWait();
      if (!r) return std::move(r).error();
      if (r->has_value()) return **r;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (outcome_.never_exits) {
          return Error(ErrorCode::kInternal,
                       "fake child " + std::to_string(pid_) + " never exits: kill it first");
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  Result<std::optional<ProcessExit>> TryWait() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!exit_ && !outcome_.never_exits && SteadyClock::now() >= exits_at_) {
      exit_ = ProcessExit{.exit_status = outcome_.exit_status, .signal = outcome_.signal};
    }
    return exit_;
  }

  Result<bool> HasExited() override {
    auto r = TryWait();
    if (!r) return std::move(r).error();
    return r->has_value();
  }

  Status Signal(int sig) override { return Deliver(sig); }
  Status SignalGroup(int sig) override {
    if (!own_group_) {
      return Error(ErrorCode::kInvalidArgument,
                   "child " + std::to_string(pid_) + " has no process group of its own");
    }
    return Deliver(sig);
  }

  Result<ProcessExit> KillWithGrace(std::chrono::milliseconds) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (exit_) return *exit_;
    }
    (void)Deliver(SIGTERM);
    (void)Deliver(SIGCONT);
    auto r = TryWait();
    if (r && r->has_value()) return **r;
    (void)Deliver(SIGKILL);
    return Wait();
  }

 private:
  Status Deliver(int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    if (exit_) {
      return Error(ErrorCode::kInvalidArgument,
                   "child " + std::to_string(pid_) + " has exited; not signalling it");
    }
    {
      std::lock_guard<std::mutex> state_lock(state_->mu);
      state_->signals[index_].push_back(sig);
    }
    const bool dies = sig == SIGKILL || (sig == SIGTERM && !outcome_.ignores_sigterm) ||
                      sig == SIGINT || sig == SIGHUP;
    if (dies) {
      exit_ = ProcessExit{.signal = sig};
      CloseFd(stdout_write_);
      CloseFd(stderr_write_);
    }
    return Ok();
  }

  std::shared_ptr<FakeProcessRunner::State> state_;
  const std::size_t index_;
  const pid_t pid_;
  const bool own_group_;
  mutable std::mutex mu_;
  FakeOutcome outcome_;
  SteadyClock::time_point exits_at_;
  std::optional<ProcessExit> exit_;
  int stdout_ = -1, stdout_write_ = -1, stderr_ = -1, stderr_write_ = -1;
};

}  // namespace

FakeProcessRunner::FakeProcessRunner() : state_(std::make_shared<State>()) {}
FakeProcessRunner::~FakeProcessRunner() = default;

void FakeProcessRunner::Script(FakeOutcome outcome) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->script.push_back(std::move(outcome));
}

Result<std::unique_ptr<ChildProcess>> FakeProcessRunner::Start(const ProcessSpec& spec) {
  FakeOutcome outcome;
  std::size_t index;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->script.empty()) {
      outcome = std::move(state_->script.front());
      state_->script.pop_front();
    }
    index = state_->specs.size();
    state_->specs.push_back(spec);
    state_->signals.emplace_back();
  }
  if (spec.argv.empty()) return Error(ErrorCode::kInvalidArgument, "no command to run");
  if (outcome.start_errno != 0) {
    const int e = outcome.start_errno;
    const std::string why = std::string(" (") + std::strerror(e) + ")";
    if (e == ENOENT || e == ENOTDIR) {
      return Error(ErrorCode::kInternal, "command not found: " + spec.argv[0] + why)
          .WithReason(ErrorReason::kCommandNotFound);
    }
    return Error(ErrorCode::kInternal, "cannot run command: " + spec.argv[0] + why)
        .WithReason(ErrorReason::kCommandNotRunnable);
  }
  const pid_t pid = kFirstFakePid + static_cast<pid_t>(index);
  return std::unique_ptr<ChildProcess>(
      std::make_unique<FakeChild>(state_, index, pid, spec, std::move(outcome)));
}

std::vector<ProcessSpec> FakeProcessRunner::specs() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->specs;
}

std::size_t FakeProcessRunner::started() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->specs.size();
}

std::vector<int> FakeProcessRunner::signals(std::size_t i) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return i < state_->signals.size() ? state_->signals[i] : std::vector<int>{};
}

}  // namespace hubspoke::testing
