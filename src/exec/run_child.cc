// Starting the child and waiting for it, with signal forwarding.
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "hubspoke/exec.h"
#include "sys/child_groups.h"
#include "sys/spawn.h"

namespace hubspoke {
namespace {

volatile sig_atomic_t g_child_pid = 0;

struct Forwarded {
  int sig;
  struct sigaction previous;
};
// Written before the handlers are installed and read by them; restored after.
std::vector<Forwarded>* g_forwarded = nullptr;

void RestorePrevious(int sig) {
  if (g_forwarded == nullptr) return;
  for (const auto& f : *g_forwarded) {
    if (f.sig == sig) sigaction(sig, &f.previous, nullptr);
  }
}

void Forward(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  const bool sent = info != nullptr && info->si_code <= 0;  // SI_USER, SI_QUEUE, SI_TKILL, …
  if (sys::IsFaultSignal(sig) || sig == SIGABRT) {
    // A real fault (or abort()) in this process cannot be carried on from: the previous action
    // (the default, or a sanitizer's report) takes over when the instruction runs again or
    // abort() raises again. Only a fault signal another process sent is forwarded.
    if (!sent || info->si_pid == getpid()) {
      RestorePrevious(sig);
      errno = saved_errno;
      return;
    }
  } else if (info != nullptr && info->si_code == SI_KERNEL) {
    // A signal the kernel generated for the terminal's foreground process group (Ctrl-C,
    // Ctrl-\, window resize, hangup) already reached the child, which is in our group: sending
    // it again would deliver it twice. Forward only what a process sent to us specifically.
    errno = saved_errno;
    return;
  }
  pid_t pid = g_child_pid;
  if (pid > 0) kill(pid, sig);
  errno = saved_errno;
}

// Every signal whose default action would end us (and orphan the child), plus SIGWINCH so a
// resized terminal reaches a child in another group. Signals we ignore stay ignored (nohup):
// the child inherits that.
void InstallForwarding(std::vector<Forwarded>& out) {
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (!sys::IsTerminatingSignal(sig) && sig != SIGWINCH) continue;
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;  // reserved by the C library
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) continue;
    out.push_back(Forwarded{.sig = sig, .previous = current});
  }
  g_forwarded = &out;  // the caller's vector outlives the handlers (restored before it goes)
  for (const auto& f : out) {
    struct sigaction sa {};
    sa.sa_sigaction = Forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(f.sig, &sa, nullptr);
  }
}

}  // namespace

Result<ChildExit> RunChild(const std::vector<std::string>& argv, const EnvVars& env) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "no command given after --");
  sys::ExecArgs args(argv, env);

  // Block what we forward until the child's pid is known, so none is lost in between.
  sigset_t blocked, old_mask;
  sigfillset(&blocked);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) sigdelset(&blocked, s);
  sigprocmask(SIG_BLOCK, &blocked, &old_mask);
  std::vector<Forwarded> forwarded;
  InstallForwarding(forwarded);

  sys::Spawned spawned = sys::Spawn(args, sys::SpawnOptions{});
  // Security: the environment strings hold the spoke secret; wipe our copies once the child has
  // its own.
  args.Wipe();

  auto restore = [&] {
    g_child_pid = 0;
    for (const auto& f : forwarded) sigaction(f.sig, &f.previous, nullptr);
    g_forwarded = nullptr;
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  };
  if (spawned.pid <= 0) {
    restore();
    const int rc = spawned.error;
    std::string reason = std::strerror(rc);
    int status = (rc == ENOENT || rc == ENOTDIR) ? 127 : 126;
    return ChildExit{.status = status,
                     .start_error = (status == 127 ? "command not found: " : "cannot run command: ") +
                                    argv[0] + " (" + reason + ")"};
  }
  const pid_t pid = spawned.pid;
  g_child_pid = pid;
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);

  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      restore();
      return Error(ErrorCode::kInternal, std::string("waiting for the child failed: ") +
                                             std::strerror(err));
    }
  }
  restore();
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    return ChildExit{.status = 128 + sig, .signal = sig};
  }
  return ChildExit{.status = WEXITSTATUS(wstatus)};
}

}  // namespace hubspoke
