// The real ProcessRunner: the one path by which every child is started (on sys::Spawn), waited
// for, signalled and killed.
#include "hubspoke/process_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <tuple>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "sys/child_groups.h"
#include "sys/signal_forwarding.h"
#include "sys/spawn.h"

namespace hubspoke {

void ProcessSpec::WipeEnvironment() {
  for (auto& [name, value] : env) {
    explicit_bzero(name.data(), name.size());
    explicit_bzero(value.data(), value.size());
  }
}

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Errno(int err) { return std::strerror(err); }

void CloseFd(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// tcsetpgrp from a background process group raises SIGTTOU unless the caller blocks it.
int SetForeground(int tty, pid_t pgid) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  pthread_sigmask(SIG_BLOCK, &ttou, &old);
  int rc = tcsetpgrp(tty, pgid);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return rc;
}

// One child at a time may hold the terminal we lent it, with the settings to put back.
std::atomic<bool> g_terminal_lent{false};
struct termios g_terminal_settings {};
bool g_terminal_settings_saved = false;  // written and read only by the lender of the moment

// Hands the terminal to the child's group when we are its foreground group, no other child holds
// it and no child of ours shares our group (a `run` child in the foreground: taking the
// terminal from it would stop it, and us with it, at its next read). Returns the terminal's
// descriptor to give it back with, or -1 when nothing was handed over.
int TakeTerminal(pid_t child_group) {
  if (sys::ForwardedChildInOurGroup()) return -1;
  bool expected = false;
  if (!g_terminal_lent.compare_exchange_strong(expected, true)) return -1;
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) {
    g_terminal_lent.store(false);
    return -1;
  }
  g_terminal_settings_saved = tcgetattr(tty, &g_terminal_settings) == 0;
  if (tcgetpgrp(tty) != getpgrp() || SetForeground(tty, child_group) != 0) {
    close(tty);
    g_terminal_lent.store(false);
    return -1;
  }
  // The child may have touched the terminal before it was its own and been stopped.
  kill(-child_group, SIGCONT);
  return tty;
}

// Takes the terminal back from `child_group`, only if that group still has it (the shell may
// have taken it since, or put us in the background), with the settings it had when lent (a
// helper killed while it read a code with echo off must not leave the terminal silent).
void GiveBackTerminal(int& tty, pid_t child_group) {
  if (tty < 0) return;
  if (tcgetpgrp(tty) == child_group) {
    SetForeground(tty, getpgrp());
    if (g_terminal_settings_saved) {
      sigset_t ttou, old;
      sigemptyset(&ttou);
      sigaddset(&ttou, SIGTTOU);
      pthread_sigmask(SIG_BLOCK, &ttou, &old);
      tcsetattr(tty, TCSADRAIN, &g_terminal_settings);
      pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
  }
  CloseFd(tty);
  g_terminal_lent.store(false);
}

ProcessExit FromWaitStatus(int wstatus) {
  if (WIFSIGNALED(wstatus)) return ProcessExit{.signal = WTERMSIG(wstatus)};
  return ProcessExit{.exit_status = WEXITSTATUS(wstatus)};
}

class RealChildProcess final : public ChildProcess {
 public:
  struct Parts {
    pid_t pid;
    bool own_group;
    int forwarding_slot;  // -1 when not forwarded
    bool tracked;         // in the groups killed when we die
    int tty;              // the terminal to take back, or -1
    int stdout_fd;
    int stderr_fd;
  };
  explicit RealChildProcess(Parts parts) : p_(parts) {}
  ~RealChildProcess() override {
    bool running;
    {
      std::lock_guard<std::mutex> lock(mu_);
      running = !reaped_;
      if (running) {
        if (p_.own_group) kill(-p_.pid, SIGKILL);
        kill(p_.pid, SIGKILL);
      }
    }
    if (running) (void)Wait();
    CloseFd(p_.stdout_fd);
    CloseFd(p_.stderr_fd);
  }
  RealChildProcess(const RealChildProcess&) = delete;
  RealChildProcess& operator=(const RealChildProcess&) = delete;

  pid_t pid() const override { return p_.pid; }
  int stdout_fd() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return p_.stdout_fd;
  }
  int stderr_fd() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return p_.stderr_fd;
  }
  void CloseStdout() override {
    std::lock_guard<std::mutex> lock(mu_);
    CloseFd(p_.stdout_fd);
  }
  void CloseStderr() override {
    std::lock_guard<std::mutex> lock(mu_);
    CloseFd(p_.stderr_fd);
  }

  Result<ProcessExit> Wait() override {
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (reaped_) return Reaped();
      }
      // Observe the exit without collecting it: the pid stays ours (a zombie) until Reap.
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(p_.pid), &info, WEXITED | WNOWAIT) == 0) break;
      if (errno == EINTR) continue;
      return Reap();  // ECHILD: another thread of ours reaped it, or someone else did
    }
    return Reap();
  }

  Result<std::optional<ProcessExit>> TryWait() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reaped_) {
        auto r = Reaped();
        if (!r) return std::move(r).error();
        return std::optional<ProcessExit>(*r);
      }
    }
    siginfo_t info{};
    int rc;
    do {
      rc = waitid(P_PID, static_cast<id_t>(p_.pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc == 0 && info.si_pid == 0) return std::optional<ProcessExit>();
    auto r = Reap();
    if (!r) return std::move(r).error();
    return std::optional<ProcessExit>(*r);
  }

  Result<bool> HasExited() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reaped_) return true;
    }
    siginfo_t info{};
    int rc;
    do {
      rc = waitid(P_PID, static_cast<id_t>(p_.pid), &info, WEXITED | WNOHANG | WNOWAIT);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) return true;  // ECHILD: collected elsewhere; Wait says so
    return info.si_pid != 0;
  }

  Status Signal(int sig) override { return Send(p_.pid, sig); }

  Status SignalGroup(int sig) override {
    if (!p_.own_group) {
      return Error(ErrorCode::kInvalidArgument,
                   "child " + std::to_string(p_.pid) + " has no process group of its own");
    }
    return Send(-p_.pid, sig);
  }

  Result<ProcessExit> KillWithGrace(std::chrono::milliseconds grace) override {
    const pid_t target = p_.own_group ? -p_.pid : p_.pid;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reaped_) return Reaped();
      kill(target, SIGTERM);
      kill(target, SIGCONT);  // a stopped process acts on SIGTERM only once continued
    }
    // The child is observed with WNOWAIT until the SIGKILL, so its pid — its group's id —
    // cannot be reused by an unrelated process in between.
    const auto deadline = SteadyClock::now() + grace;
    auto pause = std::chrono::milliseconds(1);
    bool exited = false;
    for (;;) {
      siginfo_t info{};
      int r = waitid(P_PID, static_cast<id_t>(p_.pid), &info, WEXITED | WNOHANG | WNOWAIT);
      if (r == 0 && info.si_pid == p_.pid) {
        exited = true;
        break;
      }
      if (r < 0 && errno != EINTR) break;
      if (SteadyClock::now() >= deadline) break;
      std::this_thread::sleep_for(std::min(pause, std::chrono::ceil<std::chrono::milliseconds>(
                                                      deadline - SteadyClock::now())));
      pause = std::min(pause * 2, std::chrono::milliseconds(20));
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!reaped_) {
        // Whatever is left of the group goes too, even when its leader has exited.
        if (p_.own_group) kill(-p_.pid, SIGKILL);
        if (!exited) kill(p_.pid, SIGKILL);  // it may have left its group (setpgid)
      }
    }
    return Wait();
  }

 private:
  Status Send(pid_t target, int sig) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reaped_) {
      return Error(ErrorCode::kInvalidArgument,
                   "child " + std::to_string(p_.pid) + " has exited; not signalling it");
    }
    if (kill(target, sig) != 0) {
      return Error(ErrorCode::kInternal,
                   "cannot signal child " + std::to_string(p_.pid) + ": " + Errno(errno));
    }
    return Ok();
  }

  Result<ProcessExit> Reaped() const {
    if (lost_) {
      return Error(ErrorCode::kInternal, "lost track of child " + std::to_string(p_.pid) +
                                             ": its exit status was collected elsewhere");
    }
    return exit_;
  }

  // Collects the exit status of a child that has exited (or been reaped elsewhere): first out of
  // the forwarding set, the groups killed when we die and the terminal, then waitpid.
  Result<ProcessExit> Reap() {
    std::lock_guard<std::mutex> lock(mu_);
    if (reaped_) return Reaped();
    sys::ReleaseForwarding(p_.forwarding_slot);
    p_.forwarding_slot = -1;
    if (p_.tracked) sys::UntrackChildGroup(p_.pid);
    p_.tracked = false;
    GiveBackTerminal(p_.tty, p_.pid);
    int wstatus = 0;
    pid_t r;
    do {
      r = waitpid(p_.pid, &wstatus, 0);
    } while (r < 0 && errno == EINTR);
    reaped_ = true;
    if (r != p_.pid) {
      lost_ = true;
    } else {
      exit_ = FromWaitStatus(wstatus);
    }
    return Reaped();
  }

  mutable std::mutex mu_;
  Parts p_;
  bool reaped_ = false;
  bool lost_ = false;
  ProcessExit exit_;
};

class RealProcessRunner final : public ProcessRunner {
 public:
  Result<std::unique_ptr<ChildProcess>> Start(const ProcessSpec& spec) override {
    if (spec.argv.empty()) return Error(ErrorCode::kInvalidArgument, "no command to run");
    // Every descriptor is O_CLOEXEC here, so that a child another thread starts at the same
    // time does not inherit our pipes' write ends (its reader would never see end-of-file).
    int dev_null = -1, out[2] = {-1, -1}, err[2] = {-1, -1};
    auto close_all = [&] {
      CloseFd(dev_null);
      for (int* fd : {&out[0], &out[1], &err[0], &err[1]}) CloseFd(*fd);
    };
    if (spec.stdin_mode == ProcessSpec::Input::kNull) {
      dev_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (dev_null < 0) return Error(ErrorCode::kInternal, "cannot open /dev/null: " + Errno(errno));
    }
    if (spec.stdout_mode == ProcessSpec::Output::kPipe && pipe2(out, O_CLOEXEC) != 0) {
      int e = errno;
      close_all();
      return Error(ErrorCode::kInternal, "cannot create a pipe: " + Errno(e));
    }
    if (spec.stderr_mode == ProcessSpec::Output::kPipe && pipe2(err, O_CLOEXEC) != 0) {
      int e = errno;
      close_all();
      return Error(ErrorCode::kInternal, "cannot create a pipe: " + Errno(e));
    }
    // A file for the child only: our end is closed below like a pipe's write end.
    for (auto [mode, path, fd] : {std::tuple{spec.stdout_mode, &spec.stdout_file, &out[1]},
                                  std::tuple{spec.stderr_mode, &spec.stderr_file, &err[1]}}) {
      if (mode != ProcessSpec::Output::kFile) continue;
      *fd = open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (*fd < 0) {
        int e = errno;
        close_all();
        return Error(ErrorCode::kInvalidArgument,
                     "cannot create the output file " + *path + ": " + Errno(e));
      }
    }
    int slot = -1;
    if (spec.forward_signals) {
      slot = sys::ReserveForwarding(spec.new_process_group);
      if (slot < 0) {
        close_all();
        return Error(ErrorCode::kInternal,
                     "too many children at once: at most " +
                         std::to_string(sys::kMaxForwardedChildren) + " may have signals forwarded");
      }
    }
    sys::Spawned spawned;
    {
      sys::ExecArgs args(spec.argv, spec.env);
      spawned = sys::Spawn(args, sys::SpawnOptions{.new_process_group = spec.new_process_group,
                                                   .stdin_fd = dev_null,
                                                   .stdout_fd = out[1],
                                                   .stderr_fd = err[1],
                                                   .default_signals = spec.default_signals,
                                                   .die_with_parent =
                                                       spec.new_process_group &&
                                                       spec.kill_group_when_we_die});
      // Security: the environment strings may hold secrets; wipe our copies once the child has
      // its own (the destructor would too).
      args.Wipe();
    }
    CloseFd(dev_null);
    CloseFd(out[1]);
    CloseFd(err[1]);
    if (spawned.pid <= 0) {
      sys::ReleaseForwarding(slot);
      close_all();
      const int rc = spawned.error;
      const std::string why = " (" + Errno(rc) + ")";
      if (rc == ENOENT || rc == ENOTDIR) {
        return Error(ErrorCode::kInternal, "command not found: " + spec.argv[0] + why)
            .WithReason(ErrorReason::kCommandNotFound);
      }
      return Error(ErrorCode::kInternal, "cannot run command: " + spec.argv[0] + why)
          .WithReason(ErrorReason::kCommandNotRunnable);
    }
    const pid_t pid = spawned.pid;
    sys::ActivateForwarding(slot, pid);
    const bool track = spec.new_process_group && spec.kill_group_when_we_die;
    if (track) sys::TrackChildGroup(pid);
    const int tty = spec.new_process_group && spec.take_terminal ? TakeTerminal(pid) : -1;
    return std::unique_ptr<ChildProcess>(
        std::make_unique<RealChildProcess>(RealChildProcess::Parts{.pid = pid,
                                                                   .own_group = spec.new_process_group,
                                                                   .forwarding_slot = slot,
                                                                   .tracked = track,
                                                                   .tty = tty,
                                                                   .stdout_fd = out[0],
                                                                   .stderr_fd = err[0]}));
  }
};

}  // namespace

std::unique_ptr<ProcessRunner> MakeRealProcessRunner() {
  return std::make_unique<RealProcessRunner>();
}

}  // namespace hubspoke
