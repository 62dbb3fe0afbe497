#include "sys/child_groups.h"

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <array>
#include <atomic>

namespace hubspoke::sys {
namespace {

// As many as fanout may run at once (-j 1000), like the forwarding set.
constexpr std::size_t kSlots = 1024;
std::array<std::atomic<pid_t>, kSlots> g_groups{};
std::atomic<bool> g_installed{false};

bool GroupAlive(pid_t pgid) {
  // Reaps the leader when it has exited (it is our child), so that a zombie leader does not
  // count as a live group; then asks whether anyone is left in the group.
  int status = 0;
  waitpid(pgid, &status, WNOHANG);
  return kill(-pgid, 0) == 0;
}

void KillTrackedGroups() {
  bool any = false;
  for (auto& slot : g_groups) {
    pid_t g = slot.load(std::memory_order_acquire);
    if (g <= 0) continue;
    any = true;
    kill(-g, SIGTERM);
    kill(-g, SIGCONT);  // a stopped process acts on SIGTERM only once continued
  }
  if (!any) return;
  // Up to 300 ms for the groups to go, in 10 ms steps (nanosleep is async-signal-safe).
  for (int step = 0; step < 30; ++step) {
    bool alive = false;
    for (auto& slot : g_groups) {
      pid_t g = slot.load(std::memory_order_acquire);
      if (g > 0 && GroupAlive(g)) alive = true;
    }
    if (!alive) return;
    timespec ten_ms{0, 10 * 1000 * 1000};
    nanosleep(&ten_ms, nullptr);
  }
  for (auto& slot : g_groups) {
    pid_t g = slot.load(std::memory_order_acquire);
    if (g > 0) kill(-g, SIGKILL);
  }
}

void OnTerminatingSignal(int sig) {
  KillTrackedGroups();
  // Die of the same signal, so that our parent sees what happened to us.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  sigprocmask(SIG_UNBLOCK, &only, nullptr);
  raise(sig);
}

}  // namespace

bool IsFaultSignal(int sig) {
  return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL || sig == SIGTRAP ||
         sig == SIGSYS;
}

bool IsTerminatingSignal(int sig) {
  switch (sig) {
    case SIGHUP: case SIGINT: case SIGQUIT: case SIGABRT: case SIGUSR1: case SIGUSR2:
    case SIGPIPE: case SIGALRM: case SIGTERM: case SIGSTKFLT: case SIGXCPU: case SIGXFSZ:
    case SIGVTALRM: case SIGPROF: case SIGPOLL: case SIGPWR:
      return true;
    default:
      break;
  }
  if (IsFaultSignal(sig)) return true;
  return sig >= SIGRTMIN && sig <= SIGRTMAX;
}

void TrackChildGroup(pid_t pgid) {
  if (pgid <= 0) return;
  for (auto& slot : g_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pgid, std::memory_order_acq_rel)) return;
  }
}

void UntrackChildGroup(pid_t pgid) {
  if (pgid <= 0) return;
  for (auto& slot : g_groups) {
    pid_t expected = pgid;
    if (slot.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
  }
}

void InstallChildGroupCleanup() {
  if (g_installed.exchange(true)) return;
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    // Faults are left to the default action (or a sanitizer's handler): a real fault cannot be
    // handled by carrying on, and helpers are still killed by their runner's timeout.
    if (!IsTerminatingSignal(sig) || IsFaultSignal(sig) || sig == SIGABRT) continue;
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;  // reserved by the C library
    if (current.sa_handler != SIG_DFL || (current.sa_flags & SA_SIGINFO)) continue;
    struct sigaction sa {};
    sa.sa_handler = OnTerminatingSignal;
    sigfillset(&sa.sa_mask);  // one cleanup at a time
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, nullptr);
  }
}

}  // namespace hubspoke::sys
