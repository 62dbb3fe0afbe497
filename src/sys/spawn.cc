#include "sys/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>

#include "sys/process_hardening.h"

namespace hubspoke::sys {

ExecArgs::ExecArgs(const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& env) {
  strings_.reserve(argv.size() + env.size());
  for (const auto& a : argv) strings_.push_back(a);
  for (const auto& [k, v] : env) strings_.push_back(k + "=" + v);
  for (std::size_t i = 0; i < argv.size(); ++i) argv_.push_back(strings_[i].data());
  argv_.push_back(nullptr);
  for (std::size_t i = argv.size(); i < strings_.size(); ++i) envp_.push_back(strings_[i].data());
  envp_.push_back(nullptr);
}

void ExecArgs::Wipe() {
  for (auto& s : strings_) explicit_bzero(s.data(), s.size());
}

namespace {

// In the child, after vfork: only async-signal-safe calls, no memory of ours changed (it is
// shared until exec), and never returns. The report pipe's read end is close-on-exec.
[[noreturn]] void ExecChild(const ExecArgs& args, const SpawnOptions& options, int report_fd,
                            const rlimit* core, pid_t parent) {
  auto fail = [report_fd](int err) {
    ssize_t ignored = write(report_fd, &err, sizeof err);
    (void)ignored;
    _exit(127);
  };
  if (options.new_process_group && setpgid(0, 0) != 0) fail(errno);
  if (options.die_with_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail(errno);
    // We may have died before the prctl: then nobody is left to signal the child.
    if (getppid() != parent) _exit(127);
  }
  // dup2 onto the standard descriptor; one that is already there (our 0–2 were closed when it
  // was opened) only loses its close-on-exec flag, which dup2(fd, fd) would have kept.
  auto place = [&fail](int fd, int target) {
    if (fd < 0) return;
    if (fd == target) {
      if (fcntl(fd, F_SETFD, 0) != 0) fail(errno);
    } else if (dup2(fd, target) < 0) {
      fail(errno);
    }
  };
  place(options.stdin_fd, 0);
  place(options.stdout_fd, 1);
  place(options.stderr_fd, 2);
  // No handler of ours may run in the child once signals are unblocked below: every caught
  // signal goes back to its default now (exec would do it anyway, but only at exec).
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;
    const bool caught = (current.sa_flags & SA_SIGINFO) ||
                        (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN);
    const bool listed = std::find(options.default_signals.begin(), options.default_signals.end(),
                                  sig) != options.default_signals.end();
    if (caught || listed) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(sig, &dfl, nullptr);
    }
  }
  if (core != nullptr) setrlimit(RLIMIT_CORE, core);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  execvpe(args.argv()[0], args.argv(), args.envp());
  fail(errno);
  __builtin_unreachable();
}

}  // namespace

Spawned Spawn(const ExecArgs& args, const SpawnOptions& options) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return Spawned{.error = errno};
  rlimit core{};
  const bool restore_core = OriginalCoreLimit(&core);

  // vfork, not fork: the child borrows our memory until it execs instead of getting a copy of
  // every page table of a process that may run 64 threads (fanout: fork was two thirds of the
  // time of 1,000 spawns, docs/PERFORMANCE.md), as glibc's posix_spawn does. That is safe because
  // the child only makes system calls on its own stack and on what is already built here (the
  // argument and environment arrays, the options) and never returns from ExecChild; it has its
  // own descriptors and signal dispositions. Every signal is blocked across it, so that no
  // handler of ours runs in the child (on our memory) before it has reset them.
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  const int report_fd = report[1];
  const rlimit* core_limit = restore_core ? &core : nullptr;
  const pid_t parent = getpid();
  const pid_t pid = vfork();
  if (pid == 0) ExecChild(args, options, report_fd, core_limit, parent);
  const int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(report[1]);
  if (pid < 0) {
    close(report[0]);
    return Spawned{.error = fork_errno};
  }
  // EOF: exec succeeded (the pipe closed on exec). An int: exec (or the set-up) failed.
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return Spawned{.error = child_errno != 0 ? child_errno : ENOEXEC};
  }
  return Spawned{.pid = pid};
}

}  // namespace hubspoke::sys
