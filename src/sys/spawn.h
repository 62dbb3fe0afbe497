// Starting a child process: the one place that forks and execs. Used by the real ProcessRunner
// (sys/process_runner.cc), which every child goes through.
//
// Why fork + execvpe instead of posix_spawn: the child must get back the RLIMIT_CORE that
// HardenProcess() lowered for us, which posix_spawn cannot do. Between fork and exec the child
// calls only async-signal-safe functions (and execvpe, which glibc implements without malloc).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace hubspoke::sys {

// argv and envp for execve, built once and owning their strings. Security: the environment
// may hold secrets; Wipe() (also run by the destructor) overwrites every string.
class ExecArgs {
 public:
  ExecArgs(const std::vector<std::string>& argv,
           const std::vector<std::pair<std::string, std::string>>& env);
  ~ExecArgs() { Wipe(); }
  ExecArgs(const ExecArgs&) = delete;
  ExecArgs& operator=(const ExecArgs&) = delete;

  char* const* argv() const { return argv_.data(); }
  char* const* envp() const { return envp_.data(); }
  void Wipe();

 private:
  std::vector<std::string> strings_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

struct SpawnOptions {
  bool new_process_group = false;  // setpgid(0, 0): the child's pid is its group's id
  int stdin_fd = -1;               // dup2'd onto 0 when >= 0, else inherited
  int stdout_fd = -1;              // dup2'd onto 1 when >= 0, else inherited
  int stderr_fd = -1;              // dup2'd onto 2 when >= 0, else inherited
  // Signals whose disposition the child gets as SIG_DFL even if we ignore them. Every signal we
  // catch is reset by exec anyway; ignored ones are inherited (nohup) unless listed here.
  std::vector<int> default_signals;
  // PR_SET_PDEATHSIG(SIGKILL): the child is killed when the thread that spawned it ends, and so
  // when we die of SIGKILL, which no handler of ours can see (kill_group_when_we_die's handlers
  // cover every other terminating signal). Only the child itself: what it started in its group
  // is not covered. The spawning thread must outlive the child (it waits for it).
  bool die_with_parent = false;
};

struct Spawned {
  pid_t pid = -1;  // > 0 when the command started
  int error = 0;   // errno of the failure (ENOENT: not found, EACCES/ENOEXEC: not runnable)
};

// Starts argv[0] (looked up on our PATH when it has no '/', as execvp does) with exactly the
// given environment and an empty signal mask. Returns once exec has succeeded or failed, so a
// missing command is an error here rather than a child exiting 127.
Spawned Spawn(const ExecArgs& args, const SpawnOptions& options);

}  // namespace hubspoke::sys
