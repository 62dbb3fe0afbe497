// Starting the child and waiting for it, with signal forwarding. This file is one of the few
// places allowed to touch processes directly (the exec layer).
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>

#include "hubspoke/exec.h"

namespace hubspoke {
namespace {

constexpr std::array<int, 7> kForwarded = {SIGINT, SIGTERM, SIGHUP, SIGQUIT,
                                           SIGUSR1, SIGUSR2, SIGWINCH};

volatile sig_atomic_t g_child_pid = 0;

void Forward(int sig, siginfo_t* info, void*) {
  // A signal the kernel generated for the terminal's foreground process group (Ctrl-C, Ctrl-\,
  // window resize, hangup) already reached the child, which is in our group: sending it again
  // would deliver it twice. Forward only what a process sent to us specifically.
  if (info != nullptr && info->si_code == SI_KERNEL) return;
  pid_t pid = g_child_pid;
  if (pid > 0) kill(pid, sig);
}

}  // namespace

Result<ChildExit> RunChild(const std::vector<std::string>& argv, const EnvVars& env) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "no command given after --");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  env_strings.reserve(env.size());
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  // Block the forwarded signals until the child's pid is known, so none is lost in between.
  sigset_t forwarded, old_mask;
  sigemptyset(&forwarded);
  for (int s : kForwarded) sigaddset(&forwarded, s);
  sigprocmask(SIG_BLOCK, &forwarded, &old_mask);

  std::array<struct sigaction, kForwarded.size()> old_actions{};
  for (std::size_t i = 0; i < kForwarded.size(); ++i) {
    struct sigaction sa {};
    sa.sa_sigaction = Forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(kForwarded[i], &sa, &old_actions[i]);
  }

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The child starts with the mask we had before blocking, and default dispositions for the
  // signals we catch (exec resets handlers anyway; this is explicit).
  posix_spawnattr_setsigmask(&attr, &old_mask);
  posix_spawnattr_setsigdefault(&attr, &forwarded);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], nullptr, &attr, args.data(), envp.data());
  posix_spawnattr_destroy(&attr);

  auto restore = [&] {
    g_child_pid = 0;
    for (std::size_t i = 0; i < kForwarded.size(); ++i)
      sigaction(kForwarded[i], &old_actions[i], nullptr);
    sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  };
  // Security: the environment strings hold the spoke secret; wipe our copies once the child has
  // its own.
  for (auto& s : env_strings) std::fill(s.begin(), s.end(), '\0');

  if (rc != 0) {
    restore();
    std::string reason = std::strerror(rc);
    int status = (rc == ENOENT) ? 127 : 126;
    return ChildExit{.status = status,
                     .start_error = (rc == ENOENT ? "command not found: " : "cannot run command: ") +
                                    argv[0] + " (" + reason + ")"};
  }
  g_child_pid = pid;
  sigprocmask(SIG_SETMASK, &old_mask, nullptr);

  int wstatus = 0;
  while (waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR) {
      int err = errno;
      restore();
      return Error(ErrorCode::kInternal, std::string("waiting for the child failed: ") +
                                             std::strerror(err));
    }
  }
  restore();
  if (WIFSIGNALED(wstatus)) {
    int sig = WTERMSIG(wstatus);
    return ChildExit{.status = 128 + sig, .signal = sig};
  }
  return ChildExit{.status = WEXITSTATUS(wstatus)};
}

}  // namespace hubspoke
