// Like src/exec/run_child.cc, one of the few places that touch processes directly.
#include "creds/process_runner.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <thread>

#include "sys/child_groups.h"
#include "sys/spawn.h"

namespace hubspoke::process {
namespace {

using SteadyClock = std::chrono::steady_clock;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string Errno(int err) { return std::strerror(err); }

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

// Hands the terminal to the child's process group while it runs, as a shell does for a
// foreground job, when we are the terminal's foreground group (else does nothing). Without it,
// the child — in a group of its own so that a timeout can kill all of it — would be a
// background job, and a credential_process that reads an MFA code from /dev/tty (aws-vault,
// saml2aws) would be stopped by SIGTTIN until the timeout.
class TerminalHandoff {
 public:
  explicit TerminalHandoff(pid_t child_group) {
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return;
    tty_ = fd;
    if (tcgetpgrp(tty_) != getpgrp() || SetForeground(tty_, child_group) != 0) {
      close(tty_);
      tty_ = -1;
      return;
    }
    // The child may have touched the terminal before it was its own and been stopped.
    kill(-child_group, SIGCONT);
  }
  TerminalHandoff(const TerminalHandoff&) = delete;
  TerminalHandoff& operator=(const TerminalHandoff&) = delete;
  ~TerminalHandoff() { Restore(); }
  void Restore() {
    if (tty_ < 0) return;
    SetForeground(tty_, getpgrp());
    close(tty_);
    tty_ = -1;
  }

 private:
  int tty_ = -1;
};

// Keeps the helper's group in the list a terminating signal kills, for as long as it runs.
class TrackedGroup {
 public:
  explicit TrackedGroup(pid_t pgid) : pgid_(pgid) { sys::TrackChildGroup(pgid_); }
  ~TrackedGroup() { sys::UntrackChildGroup(pgid_); }
  TrackedGroup(const TrackedGroup&) = delete;
  TrackedGroup& operator=(const TrackedGroup&) = delete;

 private:
  pid_t pgid_;
};

enum class Reaped { kYes, kDeadline, kLost };

// Waits for `pid` to exit until `deadline`; reaps it and stores its wait status when it did.
Reaped ReapBefore(pid_t pid, SteadyClock::time_point deadline, int* wstatus) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    pid_t r = waitpid(pid, wstatus, WNOHANG);
    if (r == pid) return Reaped::kYes;
    // ECHILD: someone else reaped it (SIGCHLD ignored makes the kernel do so).
    if (r < 0 && errno != EINTR) return Reaped::kLost;
    if (SteadyClock::now() >= deadline) return Reaped::kDeadline;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

// SIGTERM to the whole group, `grace` for the shell to go, SIGKILL to whatever of the group is
// left, then reaps the shell. The shell is observed with WNOWAIT until the SIGKILL, so its pid
// — the group's id — cannot be reused by an unrelated process in between.
void KillGroup(pid_t pid, std::chrono::milliseconds grace) {
  kill(-pid, SIGTERM);
  kill(-pid, SIGCONT);  // a stopped process acts on SIGTERM only once continued
  const auto deadline = SteadyClock::now() + grace;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    siginfo_t info{};
    int r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (r == 0 && info.si_pid == pid) break;
    if (r < 0 && errno != EINTR) break;
    if (SteadyClock::now() >= deadline) break;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);  // in case the shell left its group (setpgid): it is still our child
  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

Result<ShellRun> RunShellCapturingStdout(
    const std::string& command, const std::vector<std::pair<std::string, std::string>>& env,
    const ShellRunOptions& options) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return Error(ErrorCode::kInternal, "cannot create a pipe: " + Errno(errno));
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);

  Fd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) return Error(ErrorCode::kInternal, "cannot open /dev/null: " + Errno(errno));
  sys::ExecArgs args({"/bin/sh", "-c", command}, env);
  // A clean start whatever our own dispositions are (we may ignore SIGPIPE), in a new process
  // group whose id is the shell's pid.
  sys::Spawned spawned = sys::Spawn(
      args, sys::SpawnOptions{.new_process_group = true,
                              .stdin_fd = dev_null.get(),
                              .stdout_fd = write_end.get(),
                              .default_signals = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT,
                                                  SIGTSTP, SIGTTIN, SIGTTOU, SIGCHLD, SIGUSR1,
                                                  SIGUSR2, SIGWINCH, SIGALRM}});
  // Security: the environment may hold credentials; wipe our copies once the child has its own.
  args.Wipe();
  write_end.Close();
  dev_null.Close();
  if (spawned.pid <= 0) return Error(ErrorCode::kInternal, "cannot run /bin/sh: " + Errno(spawned.error));
  const pid_t pid = spawned.pid;
  // A signal that ends us kills this group too (HardenProcess), so the helper is not orphaned.
  TrackedGroup tracked(pid);

  TerminalHandoff terminal(pid);
  const auto deadline = SteadyClock::now() + options.timeout;
  std::string out;
  out.reserve(16384);  // typical output fits: fewer reallocations leaving copies in freed memory
  std::array<char, 16384> buf;
  ShellRun run;
  run.pid = pid;
  bool done_reading = false, stop = false;
  while (!done_reading) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      run.outcome = ShellRun::Outcome::kTimedOut;
      stop = true;
      break;
    }
    pollfd p{read_end.get(), POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
    if (n < 0 && errno != EINTR) {
      int err = errno;
      KillGroup(pid, options.kill_grace);
      return Error(ErrorCode::kInternal, "waiting for credential_process output: " + Errno(err));
    }
    if (n <= 0) continue;
    ssize_t r = read(read_end.get(), buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int err = errno;
      KillGroup(pid, options.kill_grace);
      return Error(ErrorCode::kInternal, "reading credential_process output: " + Errno(err));
    }
    if (r == 0) {
      done_reading = true;
    } else if (out.size() + static_cast<std::size_t>(r) > options.max_stdout) {
      run.outcome = ShellRun::Outcome::kOutputTooLarge;
      stop = true;
      break;
    } else {
      out.append(buf.data(), static_cast<std::size_t>(r));
    }
  }
  std::fill(buf.begin(), buf.end(), '\0');
  read_end.Close();
  int wstatus = 0;
  if (!stop) {
    Reaped reaped = ReapBefore(pid, deadline, &wstatus);
    if (reaped == Reaped::kLost) {
      std::fill(out.begin(), out.end(), '\0');
      return Error(ErrorCode::kInternal,
                   "lost track of credential_process: its exit status was collected elsewhere");
    }
    if (reaped == Reaped::kDeadline) {
      run.outcome = ShellRun::Outcome::kTimedOut;
      stop = true;
    }
  }
  if (stop) {
    KillGroup(pid, options.kill_grace);
    terminal.Restore();
    std::fill(out.begin(), out.end(), '\0');
    return run;
  }
  terminal.Restore();
  if (WIFSIGNALED(wstatus)) {
    run.outcome = ShellRun::Outcome::kSignaled;
    run.signal = WTERMSIG(wstatus);
  } else {
    run.outcome = ShellRun::Outcome::kExited;
    run.exit_status = WEXITSTATUS(wstatus);
  }
  run.stdout_text = SecretString(std::move(out));
  return run;
}

}  // namespace hubspoke::process
