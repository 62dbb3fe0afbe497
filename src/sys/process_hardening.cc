#include "sys/process_hardening.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "hubspoke/hardening.h"
#include "sys/child_groups.h"

namespace hubspoke {
namespace sys {
namespace {

std::atomic<bool> g_core_lowered{false};
rlimit g_original_core{};

}  // namespace

bool OriginalCoreLimit(rlimit* limit) {
  if (!g_core_lowered.load(std::memory_order_acquire)) return false;
  *limit = g_original_core;
  return true;
}

bool OpenClosedStandardDescriptors() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // open() returns the lowest free descriptor, which is `fd` itself: 0 before 1 before 2.
    int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (opened < 0) return false;
    if (opened != fd) {
      // Cannot happen (fd was the lowest free one), but never leave it half done.
      if (dup2(opened, fd) < 0) return false;
      close(opened);
    }
  }
  return true;
}

}  // namespace sys

Status HardenProcess() {
  if (!sys::OpenClosedStandardDescriptors()) {
    return Error(ErrorCode::kInternal,
                 std::string("cannot open /dev/null for a closed standard descriptor: ") +
                     std::strerror(errno));
  }
  // Security: a core file (or a core handler such as systemd-coredump) would hold the base
  // secret and both session tokens.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  rlimit core{};
  if (!sys::g_core_lowered.load(std::memory_order_acquire) && getrlimit(RLIMIT_CORE, &core) == 0) {
    sys::g_original_core = core;
    rlimit none = core;
    none.rlim_cur = 0;  // the soft limit only: children may raise it back to what we had
    if (setrlimit(RLIMIT_CORE, &none) == 0) sys::g_core_lowered.store(true, std::memory_order_release);
  }
  sys::InstallChildGroupCleanup();
  return Ok();
}

}  // namespace hubspoke
