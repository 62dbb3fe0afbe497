// The process groups of the helpers we are running (credential_process commands), so that a
// signal that ends us can end them too. Async-signal-safe where it matters: the signal handler
// only reads a fixed array of atomics.
#pragma once

#include <sys/types.h>

namespace hubspoke::sys {

// Records / forgets a running child's process group. Thread-safe, lock-free. At most 1024 groups
// are tracked at once; beyond that a group is simply not tracked (it is still killed by its own
// runner's timeout).
void TrackChildGroup(pid_t pgid);
void UntrackChildGroup(pid_t pgid);

// Installs, for every signal whose default action terminates the process and whose disposition
// is the default now, a handler that sends SIGTERM (then, 300 ms later at most, SIGKILL) to
// every tracked group and then dies of the signal. Idempotent.
void InstallChildGroupCleanup();

// The signals whose default action terminates the process (Term or Core in signal(7)), apart
// from SIGKILL: the asynchronous ones and the synchronous faults, then the real-time signals.
bool IsTerminatingSignal(int sig);
bool IsFaultSignal(int sig);  // SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS

}  // namespace hubspoke::sys
