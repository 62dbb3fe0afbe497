// The credential_process runner on the ProcessRunner seam: the deadline, the stdout limit and
// what to do at each; the runner does the process work.
#include "creds/process_runner.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <thread>

namespace hubspoke::process {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string Errno(int err) { return std::strerror(err); }

enum class Reaped { kYes, kDeadline, kLost };

// Waits for the child to exit until `deadline`; reaps it and stores how it ended when it did.
Reaped ReapBefore(ChildProcess& child, SteadyClock::time_point deadline, ProcessExit* exit) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    auto r = child.TryWait();
    // An error: someone else reaped it (SIGCHLD ignored makes the kernel do so).
    if (!r) return Reaped::kLost;
    if (r->has_value()) {
      *exit = **r;
      return Reaped::kYes;
    }
    if (SteadyClock::now() >= deadline) return Reaped::kDeadline;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

}  // namespace

Result<ShellRun> RunShellCapturingStdout(ProcessRunner& runner, const std::string& command,
                                         std::vector<std::pair<std::string, std::string>> env,
                                         const ShellRunOptions& options) {
  // A clean start whatever our own dispositions are (we may ignore SIGPIPE), in a new process
  // group whose id is the shell's pid; a signal that ends us kills this group too
  // (HardenProcess), so the helper is not orphaned.
  ProcessSpec spec{.argv = {"/bin/sh", "-c", command},
                   .env = std::move(env),
                   .stdin_mode = ProcessSpec::Input::kNull,
                   .stdout_mode = ProcessSpec::Output::kPipe,
                   .new_process_group = true,
                   .kill_group_when_we_die = true,
                   .take_terminal = true,
                   .default_signals = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN,
                                       SIGTTOU, SIGCHLD, SIGUSR1, SIGUSR2, SIGWINCH, SIGALRM}};
  auto started = runner.Start(spec);
  // Security: the environment may hold credentials; wipe our copies once the child has its own.
  spec.WipeEnvironment();
  if (!started) {
    return Error(ErrorCode::kInternal, "cannot run /bin/sh: " + started.error().message());
  }
  ChildProcess& child = **started;
  const int read_end = child.stdout_fd();

  const auto deadline = SteadyClock::now() + options.timeout;
  std::string out;
  out.reserve(16384);  // typical output fits: fewer reallocations leaving copies in freed memory
  std::array<char, 16384> buf;
  ShellRun run;
  run.pid = child.pid();
  bool done_reading = false, stop = false;
  while (!done_reading) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - SteadyClock::now());
    if (left.count() <= 0) {
      run.outcome = ShellRun::Outcome::kTimedOut;
      stop = true;
      break;
    }
    pollfd p{read_end, POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 60000)));
    if (n < 0 && errno != EINTR) {
      int err = errno;
      (void)child.KillWithGrace(options.kill_grace);
      return Error(ErrorCode::kInternal, "waiting for credential_process output: " + Errno(err));
    }
    if (n <= 0) continue;
    ssize_t r = read(read_end, buf.data(), buf.size());
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      int err = errno;
      (void)child.KillWithGrace(options.kill_grace);
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
  child.CloseStdout();
  ProcessExit exit;
  if (!stop) {
    Reaped reaped = ReapBefore(child, deadline, &exit);
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
    // SIGTERM to the group, the grace, SIGKILL to whatever of the group is left.
    (void)child.KillWithGrace(options.kill_grace);
    std::fill(out.begin(), out.end(), '\0');
    return run;
  }
  if (exit.signal != 0) {
    run.outcome = ShellRun::Outcome::kSignaled;
    run.signal = exit.signal;
  } else {
    run.outcome = ShellRun::Outcome::kExited;
    run.exit_status = exit.exit_status;
  }
  run.stdout_text = SecretString(std::move(out));
  return run;
}

}  // namespace hubspoke::process
