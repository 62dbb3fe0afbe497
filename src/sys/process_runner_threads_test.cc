// ctest-label: threads
// The real ProcessRunner with many children at once, started, signalled and reaped from several
// threads, each child with its own captured stdout and stderr and its signals forwarded.
#include <errno.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/process_runner.h"
#include "sys/signal_forwarding.h"
#include "testing/fd_read.h"

namespace hubspoke {
namespace {

using testing::ReadAll;
using testing::ReadLine;

TEST(ProcessRunnerThreadsTest, SixtyFourChildrenAtOnceFromFourThreads) {
  constexpr int kThreads = 4, kPerThread = 16;
  auto runner = MakeRealProcessRunner();
  const char* path = std::getenv("PATH");
  std::atomic<int> ready{0};
  std::mutex mu;
  std::vector<std::string> failures;
  auto fail = [&](std::string what) {
    std::lock_guard<std::mutex> lock(mu);
    failures.push_back(std::move(what));
  };
  auto work = [&](int t) {
    std::vector<std::unique_ptr<ChildProcess>> children;
    for (int i = 0; i < kPerThread; ++i) {
      const std::string id = std::to_string(t) + "-" + std::to_string(i);
      ProcessSpec spec{.argv = {"/bin/sh", "-c",
                                "echo \"out-$CHILD_ID\"; echo \"err-$CHILD_ID\" >&2; exec sleep 30"},
                       .env = {{"PATH", path && *path ? path : "/usr/bin:/bin"}, {"CHILD_ID", id}},
                       .stdin_mode = ProcessSpec::Input::kNull,
                       .stdout_mode = ProcessSpec::Output::kPipe,
                       .stderr_mode = ProcessSpec::Output::kPipe,
                       .new_process_group = i % 2 == 1,
                       .forward_signals = true};
      auto child = runner->Start(spec);
      if (!child) {
        fail("start " + id + ": " + child.error().ToString());
        continue;
      }
      children.push_back(std::move(*child));
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
      const std::string id = std::to_string(t) + "-" + std::to_string(i);
      if (auto line = ReadLine(children[i]->stdout_fd()); line != "out-" + id)
        fail("stdout of " + id + ": " + line);
      if (auto line = ReadLine(children[i]->stderr_fd()); line != "err-" + id)
        fail("stderr of " + id + ": " + line);
    }
    // All 64 alive at once before any is stopped.
    ready.fetch_add(1);
    while (ready.load() < kThreads) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (auto& child : children) {
      auto r = child->TryWait();
      if (!r || r->has_value()) fail("child " + std::to_string(child->pid()) + " not running");
    }
    for (std::size_t i = 0; i < children.size(); ++i) {
      auto& child = children[i];
      Result<ProcessExit> exit = Error(ErrorCode::kInternal, "not run");
      if (i % 2 == 0) {
        if (auto s = child->Signal(SIGTERM); !s) fail(s.error().ToString());
        exit = child->Wait();
      } else {
        exit = child->KillWithGrace(std::chrono::seconds(5));
      }
      if (!exit) {
        fail(exit.error().ToString());
      } else if (exit->signal != SIGTERM) {
        fail("child " + std::to_string(child->pid()) + ": signal " + std::to_string(exit->signal));
      }
      if (auto rest = ReadAll(child->stdout_fd()); !rest.empty()) fail("more stdout: " + rest);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(work, t);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ready.load(), kThreads);
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_FALSE(sys::ForwardingInstalled());
}

// A signal sent to us while children come and go on other threads reaches the ones alive, and
// we survive it.
TEST(ProcessRunnerThreadsTest, ForwardingWhileChildrenComeAndGo) {
  auto runner = MakeRealProcessRunner();
  const char* path = std::getenv("PATH");
  ProcessSpec holder{.argv = {"/bin/sh", "-c",
                              "trap 'echo got-USR1; exit 0' USR1; echo ready; "
                              "while :; do sleep 0.05; done"},
                     .env = {{"PATH", path && *path ? path : "/usr/bin:/bin"}},
                     .stdout_mode = ProcessSpec::Output::kPipe,
                     .forward_signals = true};
  auto held = runner->Start(holder);
  ASSERT_TRUE(held.has_value()) << held.error().ToString();
  ASSERT_EQ(ReadLine((*held)->stdout_fd()), "ready");
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> churn;
  for (int t = 0; t < 3; ++t) {
    churn.emplace_back([&] {
      while (!stop.load()) {
        ProcessSpec spec{.argv = {"true"},
                         .env = {{"PATH", path && *path ? path : "/usr/bin:/bin"}},
                         .forward_signals = true};
        auto child = runner->Start(spec);
        if (!child || !(*child)->Wait()) failures.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(kill(getpid(), SIGUSR1), 0);
  EXPECT_EQ(ReadLine((*held)->stdout_fd()), "got-USR1");
  auto exit = (*held)->Wait();
  stop = true;
  for (auto& thread : churn) thread.join();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->exit_status, 0);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_FALSE(sys::ForwardingInstalled());
}

}  // namespace
}  // namespace hubspoke
