// Process-wide protections for a program that holds credentials. The CLI calls HardenProcess()
// first thing in main(); a library user whose program holds spoke credentials may call it too.
#pragma once

#include "hubspoke/result.h"

namespace hubspoke {

// Security:
//  - Any of file descriptors 0, 1 and 2 that is closed is opened on /dev/null (as OpenSSH and
//    sudo do). Otherwise the first socket or file we open becomes our stdout or stderr, and
//    credentials or log lines written "to stdout" go into an STS connection.
//  - No core dumps: PR_SET_DUMPABLE 0 (which also keeps other processes of the same user from
//    attaching with ptrace or reading /proc/PID/mem and /proc/PID/environ) and a soft RLIMIT_CORE
//    of 0. Children started by RunChild and credential_process helpers get the core-size limit
//    we started with back, and exec resets dumpability, so neither is inherited.
//  - When a signal whose default action ends the process (SIGTERM, SIGINT, SIGHUP, SIGALRM,
//    SIGPIPE, …; signals we ignore stay ignored) ends us while credential_process helpers run,
//    their process groups are sent SIGTERM, then SIGKILL after a short grace, before we die of
//    the same signal: no helper is left running as an orphan.
// Returns an error only when /dev/null cannot be opened for a closed descriptor (then nothing
// may be written safely: the caller should exit).
Status HardenProcess();

}  // namespace hubspoke
