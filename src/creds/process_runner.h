// Running a credential_process command (internal to the process provider): /bin/sh -c COMMAND
// in a process group of its own, stdin from /dev/null, stderr shared with us, stdout captured up
// to a limit, under a deadline after which the whole group is killed. Started through a
// ProcessRunner (SystemContext::processes), so tests can script the helper without /bin/sh.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "hubspoke/process_runner.h"
#include "hubspoke/result.h"
#include "hubspoke/secret.h"

namespace hubspoke::process {

struct ShellRunOptions {
  std::chrono::milliseconds timeout{60000};  // from the start to the exit, stdout read in full
  std::size_t max_stdout = std::size_t{1} << 20;
  // After the deadline: SIGTERM to the group, this long to go, then SIGKILL to the group.
  std::chrono::milliseconds kill_grace{300};
};

struct ShellRun {
  enum class Outcome {
    kExited,          // exit_status is valid
    kSignaled,        // signal is valid
    kTimedOut,        // the group was killed at the deadline
    kOutputTooLarge,  // stdout passed max_stdout; the group was killed
  };
  Outcome outcome = Outcome::kExited;
  int exit_status = 0;
  int signal = 0;
  int pid = 0;  // the shell's pid (and the group's id), for tests
  // Security: the command's stdout holds credentials; it never goes into a message.
  SecretString stdout_text;
};

// Runs `/bin/sh -c command` with exactly `env` as its environment (wiped once the shell has
// started). Errors only when the command could not be run at all (no /bin/sh, no pipe):
// kInternal. When we own the terminal (we are its foreground process group) the child's group
// gets the terminal while it runs, so a command that prompts on /dev/tty (an MFA code) is not
// stopped by SIGTTIN; we take it back afterwards. If a terminating signal ends us meanwhile, the
// group is killed first (HardenProcess).
Result<ShellRun> RunShellCapturingStdout(ProcessRunner& runner, const std::string& command,
                                         std::vector<std::pair<std::string, std::string>> env,
                                         const ShellRunOptions& options);

}  // namespace hubspoke::process
