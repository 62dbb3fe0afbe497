// Starting child processes: the seam every child goes through (RunChild's command, credential_process
// helpers, and commands run in many accounts at once). Any number of children may be alive at
// once, started and waited for from any thread; there is no global "the child".
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hubspoke/result.h"

namespace hubspoke {

// What to start and how. Security: `env` may hold secrets; the runner wipes its own copy once
// the child has started, and a caller done with the spec calls WipeEnvironment().
struct ProcessSpec {
  enum class Input { kInherit, kNull };  // our stdin, or /dev/null
  // Ours; a pipe whose read end the handle holds; or a new file (stdout_file / stderr_file),
  // created for the child: O_EXCL|O_NOFOLLOW, mode 0600 (an existing file or a symbolic link
  // there is an error, kInvalidArgument naming it).
  enum class Output { kInherit, kPipe, kFile };

  std::vector<std::string> argv;  // argv[0] looked up on our PATH when it has no '/'
  std::vector<std::pair<std::string, std::string>> env;  // exactly the child's environment
  Input stdin_mode = Input::kInherit;
  Output stdout_mode = Output::kInherit;
  Output stderr_mode = Output::kInherit;
  std::string stdout_file, stderr_file;  // with Output::kFile
  // setpgid(0, 0): the child's pid is its group's id, and SignalGroup / KillWithGrace reach
  // everything it started.
  bool new_process_group = false;
  // While the child runs, every signal whose default action would end us (SIGINT, SIGTERM,
  // SIGHUP, SIGQUIT, SIGALRM, SIGPIPE, SIGUSR1/2, SIGXCPU, the real-time signals, …, and a fault
  // signal another process sent) and SIGWINCH is forwarded to it instead, so that we never die
  // and leave it orphaned. Signals we ignore (nohup) stay ignored, for it too. A signal the
  // terminal sent to our whole process group (SI_KERNEL) already reached a child in our group and
  // is not sent twice; a child in a group of its own gets it, sent to its group. A signal that
  // arrives between the fork and the child's registration is delivered once it is registered.
  // The handlers are installed while at least one such child runs, from any number of threads;
  // the previous dispositions come back when the last one has been reaped.
  bool forward_signals = false;
  // With new_process_group: if a terminating signal ends us (the handlers HardenProcess()
  // installs), the child's group gets SIGTERM, then SIGKILL, first; if SIGKILL ends us, the
  // child itself (not the rest of its group) gets SIGKILL (PR_SET_PDEATHSIG: so the thread that
  // calls Start must outlive the child).
  bool kill_group_when_we_die = false;
  // With new_process_group: when we are the terminal's foreground process group, the child's
  // group gets the terminal until it is reaped (as a shell does for a foreground job), so a
  // child that prompts on /dev/tty is not stopped by SIGTTIN. One such child at a time.
  bool take_terminal = false;
  // Signals whose disposition the child gets as SIG_DFL even if we ignore them (every signal we
  // catch goes back to the default anyway).
  std::vector<int> default_signals;

  // Overwrites every environment string.
  void WipeEnvironment();
};

// How a child ended.
struct ProcessExit {
  int exit_status = 0;  // valid when signal == 0
  int signal = 0;       // the signal that killed it, 0 if it exited
  // What a shell would say: the exit status, or 128+N when it died of signal N.
  int ShellStatus() const { return signal != 0 ? 128 + signal : exit_status; }
};

// A started child. Thread-safe: any thread may signal it while another waits for it. Once
// reaped its pid is never signalled again (it may belong to another process by then).
// Destroying the handle of a child that still runs kills it (SIGKILL, to its group when it has
// one) and reaps it: no child outlives its handle, and none is left a zombie.
class ChildProcess {
 public:
  virtual ~ChildProcess() = default;
  virtual pid_t pid() const = 0;
  // The read ends of the captured pipes (O_CLOEXEC), -1 when not captured or closed. The handle
  // owns them; the caller reads (and may poll) them.
  virtual int stdout_fd() const = 0;
  virtual int stderr_fd() const = 0;
  virtual void CloseStdout() = 0;
  virtual void CloseStderr() = 0;
  // Blocks until the child has exited and reaps it. Again after that: the same answer.
  // kInternal when its exit status was collected elsewhere (SIGCHLD ignored, waitpid(-1)).
  virtual Result<ProcessExit> Wait() = 0;
  // As Wait, without blocking: nullopt while it runs.
  virtual Result<std::optional<ProcessExit>> TryWait() = 0;
  // Whether the child has exited, without collecting its exit status: until Wait or TryWait
  // reaps it, its pid (its group's id) stays reserved, so KillWithGrace still reaches whatever it
  // left running in its group (a background job holding its output pipe, say).
  virtual Result<bool> HasExited() = 0;
  // kill(2) to the child / to its process group (kInvalidArgument when it has none of its own);
  // an error once it has been reaped.
  virtual Status Signal(int sig) = 0;
  virtual Status SignalGroup(int sig) = 0;
  // SIGTERM (and SIGCONT, so a stopped child acts on it) to the child, or its group when it has
  // one; `grace` for it to go; then SIGKILL (to the whole group, whatever of it is left); reaps
  // it. Returns how it ended (or how it had ended already).
  virtual Result<ProcessExit> KillWithGrace(std::chrono::milliseconds grace) = 0;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Starts the child; returns once exec has succeeded or failed, so that a command that cannot
  // be run is an error here (ErrorReason kCommandNotFound: ENOENT/ENOTDIR, kCommandNotRunnable:
  // any other exec or fork failure; message "command not found: ARGV0 (why)" / "cannot run
  // command: ARGV0 (why)") rather than a child exiting 127. Other failures (no pipe, too many
  // forwarded children) are kInternal.
  virtual Result<std::unique_ptr<ChildProcess>> Start(const ProcessSpec& spec) = 0;
};

// Finds `command` as the real runner's execvpe will, without running it, so that a caller can
// refuse a command before doing any work for it (run and fanout check theirs before any STS
// call). A name with a '/' is taken as a path; otherwise the directories of `path_env` (the
// PATH variable; glibc's default "/bin:/usr/bin" when unset; an empty entry is the current
// directory) are searched in order, skipping files that are not executable. Returns the path
// found. Errors: kInvalidArgument for an empty command; kInternal with ErrorReason
// kCommandNotFound ("command not found: NAME") or kCommandNotRunnable ("cannot run command:
// NAME (why)": a directory, or no execute permission), as Start() reports them.
Result<std::string> FindCommand(const std::string& command,
                                const std::optional<std::string>& path_env);

// The real one: vfork + execvpe (the child gets back the core-size limit HardenProcess()
// lowered). Stateless apart from the process-wide forwarding set: any number may exist.
std::unique_ptr<ProcessRunner> MakeRealProcessRunner();

}  // namespace hubspoke
