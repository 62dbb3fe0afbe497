// HardenProcess and Spawn change process-wide state, so each test runs them in a forked child
// and reports back through its exit status.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <string>

#include "hubspoke/hardening.h"
#include "sys/spawn.h"

namespace hubspoke {
namespace {

// Runs `body` in a forked child; its return value (0 = pass, else which check failed) is the
// child's exit status.
int InChild(const std::function<int()>& body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body());
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

bool IsDevNull(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

// Regression: with stdout closed, the STS socket became fd 1 and `credentials` wrote the secret
// into it.
TEST(HardenProcess, ClosedStandardDescriptorsBecomeDevNull) {
  EXPECT_EQ(InChild([] {
              close(0);
              close(1);
              close(2);
              if (!HardenProcess()) return 1;
              for (int fd = 0; fd <= 2; ++fd)
                if (!IsDevNull(fd)) return 2 + fd;
              // The next descriptor opened is no longer a standard one.
              int next = open("/dev/null", O_RDONLY);
              return next > 2 ? 0 : 9;
            }),
            0);
  // Open descriptors are left alone.
  EXPECT_EQ(InChild([] {
              int pipes[2];
              if (pipe(pipes) != 0 || dup2(pipes[1], 1) < 0) return 1;
              close(2);
              if (!HardenProcess()) return 2;
              if (IsDevNull(1) || !IsDevNull(2)) return 3;
              return 0;
            }),
            0);
}

TEST(HardenProcess, NoCoreDumpsButChildrenGetTheLimitBack) {
  EXPECT_EQ(InChild([] {
              rlimit before{};
              getrlimit(RLIMIT_CORE, &before);
              before.rlim_cur = before.rlim_max == RLIM_INFINITY ? 4096 * 1024
                                                                  : before.rlim_max;
              if (setrlimit(RLIMIT_CORE, &before) != 0) return 1;
              if (!HardenProcess()) return 2;
              if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) return 3;
              rlimit now{};
              getrlimit(RLIMIT_CORE, &now);
              if (now.rlim_cur != 0 || now.rlim_max != before.rlim_max) return 4;
              // The child prints its limits as the kernel sees them.
              int out[2];
              if (pipe(out) != 0) return 5;
              sys::ExecArgs args({"/bin/sh", "-c", "grep 'Max core' /proc/self/limits"},
                                 {{"PATH", "/usr/bin:/bin"}});
              sys::Spawned child = sys::Spawn(args, {.stdout_fd = out[1]});
              close(out[1]);
              if (child.pid <= 0) return 6;
              char buf[128] = {};
              ssize_t n = read(out[0], buf, sizeof buf - 1);
              int status = 0;
              waitpid(child.pid, &status, 0);
              if (n <= 0) return 7;
              // "Max core file size        4194304              unlimited            bytes"
              const std::string line(buf, static_cast<std::size_t>(n));
              const std::string soft = before.rlim_cur == RLIM_INFINITY
                                           ? "unlimited"
                                           : std::to_string(before.rlim_cur);
              return line.find("size " + soft) != std::string::npos ||
                             line.find(" " + soft + " ") != std::string::npos
                         ? 0
                         : 8;
            }),
            0);
}

TEST(Spawn, ReportsWhyACommandDidNotStart) {
  sys::ExecArgs missing({"no-such-command-hubspoke"}, {{"PATH", "/usr/bin:/bin"}});
  sys::Spawned r = sys::Spawn(missing, {});
  EXPECT_LE(r.pid, 0);
  EXPECT_EQ(r.error, ENOENT);
  sys::ExecArgs dir({"/tmp"}, {});
  r = sys::Spawn(dir, {});
  EXPECT_LE(r.pid, 0);
  EXPECT_EQ(r.error, EACCES);
}

TEST(Spawn, NewProcessGroupAndExactEnvironment) {
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  sys::ExecArgs args({"/bin/sh", "-c", "echo \"$(cut -d' ' -f5 /proc/$$/stat) $ONLY\""},
                     {{"PATH", "/usr/bin:/bin"}, {"ONLY", "this"}});
  sys::Spawned child = sys::Spawn(args, {.new_process_group = true, .stdout_fd = out[1]});
  close(out[1]);
  ASSERT_GT(child.pid, 0);
  char buf[64] = {};
  ssize_t n = read(out[0], buf, sizeof buf - 1);
  close(out[0]);
  int status = 0;
  waitpid(child.pid, &status, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(n)),
            std::to_string(child.pid) + " this\n");
}

}  // namespace
}  // namespace hubspoke
