#include "sys/signal_forwarding.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "sys/child_groups.h"

namespace hubspoke::sys {
namespace {

// A slot's pid: 0 free, kClaimed being set up (ignored by the handler: the child is not forked
// yet), kReserved forked soon or just now (signals are kept in g_pending), > 0 the child.
constexpr pid_t kClaimed = -2;
constexpr pid_t kReserved = -1;

std::array<std::atomic<pid_t>, kMaxForwardedChildren> g_pid{};
std::array<std::atomic<bool>, kMaxForwardedChildren> g_to_group{};
std::array<std::atomic<std::uint64_t>, kMaxForwardedChildren> g_pending{};  // bit sig-1

// The dispositions the handlers replaced. Written under g_mu while no handler of ours is
// installed for that signal; read by the handler (a fault signal puts the previous one back).
std::mutex g_mu;
std::size_t g_users = 0;  // reserved slots; guarded by g_mu
std::array<struct sigaction, NSIG> g_previous{};
std::array<std::atomic<bool>, NSIG> g_replaced{};
std::atomic<bool> g_installed{false};

std::uint64_t Bit(int sig) { return std::uint64_t{1} << (sig - 1); }

void Send(std::size_t slot, pid_t pid, int sig) {
  kill(g_to_group[slot].load(std::memory_order_relaxed) ? -pid : pid, sig);
}

void Forward(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  const bool sent = info != nullptr && info->si_code <= 0;  // SI_USER, SI_QUEUE, SI_TKILL, …
  bool from_terminal = false;
  if (IsFaultSignal(sig) || sig == SIGABRT) {
    // A real fault (or abort()) in this process cannot be carried on from: the previous action
    // (the default, or a sanitizer's report) takes over when the instruction runs again or
    // abort() raises again. Only a fault signal another process sent is forwarded.
    if (!sent || info->si_pid == getpid()) {
      if (g_replaced[sig].load(std::memory_order_acquire)) {
        sigaction(sig, &g_previous[sig], nullptr);
      }
      errno = saved_errno;
      return;
    }
  } else if ((sig == SIGPIPE || sig == SIGXFSZ) && sent && info->si_pid == getpid()) {
    // Our own write to a closed pipe or past the file size limit (the kernel reports it as sent
    // by us): not the children's business. The write fails with EPIPE / EFBIG and we go on.
    errno = saved_errno;
    return;
  } else if (info != nullptr && info->si_code == SI_KERNEL) {
    // A signal the kernel generated for the terminal's foreground process group (Ctrl-C,
    // Ctrl-\, window resize, hangup) already reached the children in our group: sending it
    // again would deliver it twice. Only children in groups of their own get it from us.
    from_terminal = true;
  }
  if (sig < 1 || sig > 64) {
    errno = saved_errno;
    return;
  }
  for (std::size_t i = 0; i < kMaxForwardedChildren; ++i) {
    pid_t pid = g_pid[i].load(std::memory_order_acquire);
    if (pid == 0 || pid == kClaimed) continue;
    if (from_terminal && !g_to_group[i].load(std::memory_order_relaxed)) continue;
    if (pid > 0) {
      Send(i, pid, sig);
      continue;
    }
    // Not forked yet, or its pid not stored yet: keep the signal for ActivateForwarding. If the
    // pid arrived meanwhile, whichever of us clears the bit sends it.
    g_pending[i].fetch_or(Bit(sig), std::memory_order_acq_rel);
    pid = g_pid[i].load(std::memory_order_acquire);
    if (pid > 0 && (g_pending[i].fetch_and(~Bit(sig), std::memory_order_acq_rel) & Bit(sig))) {
      Send(i, pid, sig);
    }
  }
  errno = saved_errno;
}

// Every signal whose default action would end us (and orphan the children), plus SIGWINCH so a
// resized terminal reaches a child in another group. Signals we ignore stay ignored (nohup):
// the children inherit that. Called with g_mu held.
void Install() {
  for (int sig = 1; sig <= SIGRTMAX && sig < NSIG; ++sig) {
    if (!IsTerminatingSignal(sig) && sig != SIGWINCH) continue;
    struct sigaction current {};
    if (sigaction(sig, nullptr, &current) != 0) continue;  // reserved by the C library
    if (!(current.sa_flags & SA_SIGINFO) && current.sa_handler == SIG_IGN) continue;
    g_previous[sig] = current;
    g_replaced[sig].store(true, std::memory_order_release);
    struct sigaction sa {};
    sa.sa_sigaction = Forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
  g_installed.store(true, std::memory_order_release);
}

void Uninstall() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (!g_replaced[sig].load(std::memory_order_acquire)) continue;
    sigaction(sig, &g_previous[sig], nullptr);
    g_replaced[sig].store(false, std::memory_order_release);
  }
  g_installed.store(false, std::memory_order_release);
}

}  // namespace

int ReserveForwarding(bool to_group) {
  std::lock_guard<std::mutex> lock(g_mu);
  for (std::size_t i = 0; i < kMaxForwardedChildren; ++i) {
    pid_t expected = 0;
    if (!g_pid[i].compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel)) continue;
    g_to_group[i].store(to_group, std::memory_order_relaxed);
    g_pending[i].store(0, std::memory_order_relaxed);
    // Reserved before the handlers go in: from the first one on, a signal is kept for the child.
    g_pid[i].store(kReserved, std::memory_order_release);
    if (g_users++ == 0) Install();
    return static_cast<int>(i);
  }
  return -1;
}

void ActivateForwarding(int slot, pid_t pid) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kMaxForwardedChildren || pid <= 0) return;
  const auto i = static_cast<std::size_t>(slot);
  g_pid[i].store(pid, std::memory_order_release);
  std::uint64_t pending = g_pending[i].exchange(0, std::memory_order_acq_rel);
  for (int sig = 1; sig <= 64; ++sig) {
    if (pending & Bit(sig)) Send(i, pid, sig);
  }
}

void ReleaseForwarding(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kMaxForwardedChildren) return;
  const auto i = static_cast<std::size_t>(slot);
  std::lock_guard<std::mutex> lock(g_mu);
  g_pid[i].store(0, std::memory_order_release);
  g_pending[i].store(0, std::memory_order_relaxed);
  if (g_users > 0 && --g_users == 0) Uninstall();
}

bool ForwardedChildInOurGroup() {
  for (std::size_t i = 0; i < kMaxForwardedChildren; ++i) {
    if (g_pid[i].load(std::memory_order_acquire) != 0 &&
        !g_to_group[i].load(std::memory_order_relaxed)) {
      return true;
    }
  }
  return false;
}

bool ForwardingInstalled() { return g_installed.load(std::memory_order_acquire); }

}  // namespace hubspoke::sys
