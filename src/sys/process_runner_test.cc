// The real ProcessRunner, one thread: exit statuses, pipes, start errors, signals, kill with a
// grace, forwarding to a set of children, and no zombies. (Many children from many threads:
// process_runner_threads_test.cc.)
#include "hubspoke/process_runner.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "sys/signal_forwarding.h"
#include "testing/fd_read.h"
#include "sys/spawn.h"

namespace hubspoke {
namespace {

using testing::ReadAll;
using testing::ReadLine;

using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

std::vector<std::pair<std::string, std::string>> BaseEnv() {
  const char* path = std::getenv("PATH");
  return {{"PATH", path && *path ? path : "/usr/bin:/bin"}};
}

ProcessSpec Shell(const std::string& script) {
  return ProcessSpec{.argv = {"/bin/sh", "-c", script}, .env = BaseEnv()};
}

TEST(ProcessRunnerTest, ExitStatusStdoutStderrAndExactEnvironment) {
  auto runner = MakeRealProcessRunner();
  ProcessSpec spec = Shell("echo \"out $HUBSPOKE_X\"; echo \"err $HOME\" >&2; exit 7");
  spec.env.emplace_back("HUBSPOKE_X", "x1");
  spec.stdout_mode = ProcessSpec::Output::kPipe;
  spec.stderr_mode = ProcessSpec::Output::kPipe;
  auto child = runner->Start(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  EXPECT_GT((*child)->pid(), 0);
  EXPECT_EQ(ReadAll((*child)->stdout_fd()), "out x1\n");
  EXPECT_EQ(ReadAll((*child)->stderr_fd()), "err \n");  // HOME is not in the child's environment
  auto exit = (*child)->Wait();
  ASSERT_TRUE(exit.has_value()) << exit.error().ToString();
  EXPECT_EQ(exit->exit_status, 7);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_EQ(exit->ShellStatus(), 7);
  // Again: the same answer; the pid is not signalled once reaped.
  auto again = (*child)->Wait();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->exit_status, 7);
  EXPECT_FALSE((*child)->Signal(SIGTERM).has_value());
  EXPECT_FALSE((*child)->SignalGroup(SIGTERM).has_value());
}

TEST(ProcessRunnerTest, StdinFromDevNullAndInheritedOutput) {
  auto runner = MakeRealProcessRunner();
  ProcessSpec spec = Shell("input=$(cat); [ -z \"$input\" ] || exit 9; echo ok");
  spec.stdin_mode = ProcessSpec::Input::kNull;
  spec.stdout_mode = ProcessSpec::Output::kPipe;
  auto child = runner->Start(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  EXPECT_EQ((*child)->stderr_fd(), -1);
  EXPECT_EQ(ReadAll((*child)->stdout_fd()), "ok\n");
  (*child)->CloseStdout();
  EXPECT_EQ((*child)->stdout_fd(), -1);
  auto exit = (*child)->Wait();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_status, 0);
}

TEST(ProcessRunnerTest, TryWaitDoesNotBlock) {
  auto runner = MakeRealProcessRunner();
  auto child = runner->Start(Shell("sleep 0.3; exit 3"));
  ASSERT_TRUE(child.has_value());
  auto first = (*child)->TryWait();
  ASSERT_TRUE(first.has_value());
  EXPECT_FALSE(first->has_value());
  std::optional<ProcessExit> exit;
  const auto deadline = SteadyClock::now() + std::chrono::seconds(10);
  while (!exit && SteadyClock::now() < deadline) {
    auto r = (*child)->TryWait();
    ASSERT_TRUE(r.has_value()) << r.error().ToString();
    exit = *r;
    if (!exit) std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_status, 3);
  auto after = (*child)->TryWait();
  ASSERT_TRUE(after.has_value() && after->has_value());
  EXPECT_EQ((**after).exit_status, 3);
}

TEST(ProcessRunnerTest, CommandsThatCannotBeStarted) {
  auto runner = MakeRealProcessRunner();
  auto missing = runner->Start(ProcessSpec{.argv = {"hubspoke-no-such-command"}, .env = BaseEnv()});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().reason(), ErrorReason::kCommandNotFound);
  EXPECT_EQ(missing.error().message(),
            "command not found: hubspoke-no-such-command (No such file or directory)");

  std::string path = ::testing::TempDir() + "procrunner-not-executable";
  std::ofstream(path) << "#!/bin/sh\nexit 0\n";
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  auto not_runnable = runner->Start(ProcessSpec{.argv = {path}, .env = BaseEnv()});
  ASSERT_FALSE(not_runnable.has_value());
  EXPECT_EQ(not_runnable.error().reason(), ErrorReason::kCommandNotRunnable);
  EXPECT_NE(not_runnable.error().message().find("cannot run command: " + path + " ("),
            std::string::npos);
  std::remove(path.c_str());

  auto empty = runner->Start(ProcessSpec{});
  ASSERT_FALSE(empty.has_value());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);
}

TEST(ProcessRunnerTest, SignalsToTheChildAndItsGroup) {
  auto runner = MakeRealProcessRunner();
  auto same_group = runner->Start(Shell("exec sleep 30"));
  ASSERT_TRUE(same_group.has_value());
  // Never our own group: a child without one of its own refuses.
  auto refused = (*same_group)->SignalGroup(SIGTERM);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*same_group)->Signal(SIGUSR2).has_value());
  auto exit = (*same_group)->Wait();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->signal, SIGUSR2);
  EXPECT_EQ(exit->ShellStatus(), 128 + SIGUSR2);

  ProcessSpec spec = Shell("echo $$; sleep 30 & echo $!; wait");
  spec.new_process_group = true;
  spec.stdout_mode = ProcessSpec::Output::kPipe;
  auto group = runner->Start(spec);
  ASSERT_TRUE(group.has_value());
  EXPECT_EQ(ReadLine((*group)->stdout_fd()), std::to_string((*group)->pid()));
  const pid_t grandchild = std::stoi(ReadLine((*group)->stdout_fd()));
  EXPECT_EQ(getpgid(grandchild), (*group)->pid());
  ASSERT_TRUE((*group)->SignalGroup(SIGTERM).has_value());
  auto group_exit = (*group)->Wait();
  ASSERT_TRUE(group_exit.has_value());
  EXPECT_EQ(group_exit->signal, SIGTERM);
  // The background sleep got it too (it is reparented and reaped by init).
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = kill(grandchild, 0) != 0 ||
           [&] {
             std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
             std::string line;
             std::getline(stat, line);
             auto close = line.rfind(')');
             return close != std::string::npos && line.substr(close + 2, 1) == "Z";
           }();
    if (!gone) std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(gone) << grandchild;
}

TEST(ProcessRunnerTest, KillWithGrace) {
  auto runner = MakeRealProcessRunner();
  // Goes at SIGTERM: no waiting for the grace.
  ProcessSpec polite = Shell("echo ready; exec sleep 30");
  polite.stdout_mode = ProcessSpec::Output::kPipe;
  auto a = runner->Start(polite);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(ReadLine((*a)->stdout_fd()), "ready");
  auto started = SteadyClock::now();
  auto a_exit = (*a)->KillWithGrace(std::chrono::seconds(5));
  ASSERT_TRUE(a_exit.has_value()) << a_exit.error().ToString();
  EXPECT_EQ(a_exit->signal, SIGTERM);
  EXPECT_LT(SteadyClock::now() - started, std::chrono::seconds(2));

  // Ignores SIGTERM (and so does what it starts): SIGKILL to the group after the grace.
  ProcessSpec stubborn = Shell("trap '' TERM; echo ready; while :; do sleep 0.05; done");
  stubborn.stdout_mode = ProcessSpec::Output::kPipe;
  stubborn.new_process_group = true;
  auto b = runner->Start(stubborn);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(ReadLine((*b)->stdout_fd()), "ready");
  started = SteadyClock::now();
  auto b_exit = (*b)->KillWithGrace(milliseconds(200));
  auto elapsed = SteadyClock::now() - started;
  ASSERT_TRUE(b_exit.has_value()) << b_exit.error().ToString();
  EXPECT_EQ(b_exit->signal, SIGKILL);
  EXPECT_GE(elapsed, milliseconds(200));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  EXPECT_EQ(ReadAll((*b)->stdout_fd()), "");  // nothing of the group holds the pipe any more
  // Once reaped: the same answer, no signal.
  auto again = (*b)->KillWithGrace(milliseconds(200));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->signal, SIGKILL);
}

std::atomic<int> g_previous_handler_calls{0};
void PreviousHandler(int) { g_previous_handler_calls.fetch_add(1); }

// A signal sent to us reaches every live forwarded child, and not the handler we had; after the
// last one is gone, that handler is back.
void ExpectForwardedToEveryChild(int sig, const char* name) {
  struct sigaction mine {}, saved {};
  mine.sa_handler = PreviousHandler;
  sigemptyset(&mine.sa_mask);
  ASSERT_EQ(sigaction(sig, &mine, &saved), 0);
  g_previous_handler_calls = 0;
  ASSERT_FALSE(sys::ForwardingInstalled());

  auto runner = MakeRealProcessRunner();
  std::vector<std::unique_ptr<ChildProcess>> children;
  for (int i = 0; i < 5; ++i) {
    ProcessSpec spec = Shell(std::string("trap 'echo got-") + name + "; exit 0' " + name +
                             "; echo ready; while :; do sleep 0.05; done");
    spec.stdout_mode = ProcessSpec::Output::kPipe;
    spec.forward_signals = true;
    auto child = runner->Start(spec);
    ASSERT_TRUE(child.has_value()) << child.error().ToString();
    EXPECT_EQ(ReadLine((*child)->stdout_fd()), "ready");
    children.push_back(std::move(*child));
  }
  EXPECT_TRUE(sys::ForwardingInstalled());
  ASSERT_EQ(kill(getpid(), sig), 0);
  for (auto& child : children) {
    EXPECT_EQ(ReadLine(child->stdout_fd()), std::string("got-") + name);
    auto exit = child->Wait();
    ASSERT_TRUE(exit.has_value());
    EXPECT_EQ(exit->exit_status, 0);
    EXPECT_EQ(exit->signal, 0);
  }
  EXPECT_EQ(g_previous_handler_calls.load(), 0);
  EXPECT_FALSE(sys::ForwardingInstalled());
  struct sigaction now {};
  ASSERT_EQ(sigaction(sig, &saved, &now), 0);
  EXPECT_EQ(now.sa_handler, &PreviousHandler);
  EXPECT_FALSE(now.sa_flags & SA_SIGINFO);
}

TEST(ProcessRunnerTest, SignalsAreForwardedToEveryForwardedChild) {
  ExpectForwardedToEveryChild(SIGUSR1, "USR1");
  ExpectForwardedToEveryChild(SIGTERM, "TERM");
}

// Our own write to a closed pipe (the kernel's SIGPIPE names us as its sender) is ours alone:
// the write fails with EPIPE and the forwarded child is not killed by it.
TEST(ProcessRunnerTest, OurOwnSigpipeIsNotForwarded) {
  auto runner = MakeRealProcessRunner();
  ProcessSpec spec = Shell("echo ready; exec sleep 30");
  spec.stdout_mode = ProcessSpec::Output::kPipe;
  spec.forward_signals = true;
  auto child = runner->Start(spec);
  ASSERT_TRUE(child.has_value()) << child.error().ToString();
  ASSERT_EQ(ReadLine((*child)->stdout_fd()), "ready");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  errno = 0;
  EXPECT_EQ(write(fds[1], "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  close(fds[1]);
  std::this_thread::sleep_for(milliseconds(100));
  auto still = (*child)->TryWait();
  ASSERT_TRUE(still.has_value()) << still.error().ToString();
  EXPECT_FALSE(still->has_value()) << "the child got our SIGPIPE";
  auto exit = (*child)->KillWithGrace(milliseconds(100));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->signal, SIGTERM);
}

// A signal that arrives after the slot is reserved but before the child's pid is known is sent
// to it as soon as it is.
TEST(ProcessRunnerTest, ForwardedSignalBeforeRegistrationIsNotLost) {
  const int slot = sys::ReserveForwarding(false);
  ASSERT_GE(slot, 0);
  ASSERT_TRUE(sys::ForwardingInstalled());
  ASSERT_EQ(raise(SIGUSR1), 0);  // forwarded (to nobody yet), not fatal to us
  sys::ExecArgs args({"sleep", "30"}, BaseEnv());
  sys::Spawned spawned = sys::Spawn(args, sys::SpawnOptions{});
  ASSERT_GT(spawned.pid, 0);
  sys::ActivateForwarding(slot, spawned.pid);
  int status = 0;
  ASSERT_EQ(waitpid(spawned.pid, &status, 0), spawned.pid);
  sys::ReleaseForwarding(slot);
  EXPECT_FALSE(sys::ForwardingInstalled());
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGUSR1);
}

// Nothing is left to reap, whichever way each child ended, in a process of its own so that no
// other test's children count.
TEST(ProcessRunnerTest, NoZombiesAreLeft) {
  const pid_t tester = fork();
  ASSERT_GE(tester, 0);
  if (tester == 0) {
    int failures = 0;
    {
      auto runner = MakeRealProcessRunner();
      auto expect = [&](bool ok) { failures += ok ? 0 : 1; };
      auto exits = runner->Start(Shell("exit 4"));
      expect(exits && (*exits)->Wait().has_value());
      auto killed = runner->Start(Shell("exec sleep 30"));
      expect(killed && (*killed)->Signal(SIGKILL).has_value() && (*killed)->Wait().has_value());
      ProcessSpec grouped = Shell("trap '' TERM; sleep 30 & wait");
      grouped.new_process_group = true;
      grouped.forward_signals = true;
      auto graced = runner->Start(grouped);
      expect(graced && (*graced)->KillWithGrace(milliseconds(50)).has_value());
      auto polled = runner->Start(Shell("exit 0"));
      bool done = false;
      for (int i = 0; polled && i < 1000 && !done; ++i) {
        auto r = (*polled)->TryWait();
        done = r && r->has_value();
        if (!done) usleep(5000);
      }
      expect(done);
      expect(!runner->Start(ProcessSpec{.argv = {"hubspoke-no-such-command"}, .env = BaseEnv()}));
      // Handles dropped while their children run: killed and reaped.
      for (int i = 0; i < 3; ++i) {
        ProcessSpec spec = Shell("exec sleep 30");
        spec.forward_signals = i % 2 == 0;
        spec.new_process_group = i == 2;
        spec.stdout_mode = ProcessSpec::Output::kPipe;
        expect(runner->Start(spec).has_value());
      }
    }
    int status = 0;
    const bool none_left = waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
    _exit(failures == 0 && none_left && !sys::ForwardingInstalled() ? 0 : 1 + failures);
  }
  int status = 0;
  ASSERT_EQ(waitpid(tester, &status, 0), tester);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace hubspoke
