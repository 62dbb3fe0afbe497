// What HardenProcess() (include/hubspoke/hardening.h) changed that children must not inherit.
#pragma once

#include <sys/resource.h>

namespace hubspoke::sys {

// The RLIMIT_CORE we had before HardenProcess() lowered it; false when it was not lowered (a
// library user who never called it). Spawn() gives it back to every child.
bool OriginalCoreLimit(rlimit* limit);

// Opens /dev/null on whichever of fds 0–2 is closed. False when that fails.
bool OpenClosedStandardDescriptors();

}  // namespace hubspoke::sys
