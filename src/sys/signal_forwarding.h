// The process-wide set of children our signals are forwarded to (ProcessSpec::forward_signals).
// Async-signal-safe where it matters: the handler only reads and updates a fixed array of
// atomics, takes no lock and allocates nothing.
//
// A child is added in two steps so that no signal is lost between the fork and its registration:
// ReserveForwarding() before the fork (a signal that arrives then is kept as pending in the
// slot), ActivateForwarding() with its pid after it (the pending signals are sent to it then).
// ReleaseForwarding() removes it; callers release before they reap, so a reused pid is never
// sent a signal.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace hubspoke::sys {

// How many forwarded children may be alive at once.
inline constexpr std::size_t kMaxForwardedChildren = 1024;

// Installs the handlers if no forwarded child was running, and reserves a slot. `to_group`: the
// child leads a process group of its own; signals go to the group (terminal-generated ones too,
// since the terminal sent them only to ours). Returns the slot, or -1 when all are taken.
int ReserveForwarding(bool to_group);
// The child of a reserved slot has started: signals go to it from now on, and those that arrived
// since the reservation are sent to it now.
void ActivateForwarding(int slot, pid_t pid);
// Frees the slot; the last one restores the dispositions the handlers replaced.
void ReleaseForwarding(int slot);

// Whether a forwarded child shares our process group (and so our terminal) now.
bool ForwardedChildInOurGroup();

// For tests: whether the forwarding handlers are installed now.
bool ForwardingInstalled();

}  // namespace hubspoke::sys
