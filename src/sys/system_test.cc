// ctest-label: threads
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hubspoke/system.h"

namespace hubspoke {
namespace {

TEST(HttpClientOptionsFromEnvironment, ReadsCaBundleAndProxiesLowerCaseFirst) {
  auto env = MakeMapEnvironment({{"AWS_CA_BUNDLE", "/etc/corp-ca.pem"},
                                 {"HTTPS_PROXY", "http://upper:3128"},
                                 {"https_proxy", "http://lower:3128"},
                                 {"HTTP_PROXY", "http://plain:3128"},
                                 {"NO_PROXY", "169.254.169.254,.internal"}});
  HttpClientOptions o = HttpClientOptionsFromEnvironment(*env);
  EXPECT_EQ(o.ca_bundle, "/etc/corp-ca.pem");
  EXPECT_EQ(o.https_proxy, "http://lower:3128");
  EXPECT_EQ(o.http_proxy, "http://plain:3128");
  EXPECT_EQ(o.no_proxy, "169.254.169.254,.internal");
  HttpClientOptions none = HttpClientOptionsFromEnvironment(*MakeMapEnvironment({}));
  EXPECT_TRUE(none.ca_bundle.empty());
  EXPECT_TRUE(none.https_proxy.empty());
}

TEST(MapEnvironment, LastDefinitionWins) {
  auto env = MakeMapEnvironment({{"A", "1"}, {"A", "2"}, {"EMPTY", ""}});
  EXPECT_EQ(*env->Get("A"), "2");
  EXPECT_EQ(*env->Get("EMPTY"), "");
  EXPECT_FALSE(env->Get("MISSING").has_value());
}

}  // namespace
TEST(BackgroundLogger, WritesEveryLineInOrderFromManyThreads) {
  char path[] = "/tmp/background-logger-test.XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  {
    auto log = MakeBackgroundLogger(fd, LogLevel::kInfo);
    EXPECT_FALSE(log->Enabled(LogLevel::kDebug));
    log->Log(LogLevel::kDebug, "not written");
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&log, t] {
        for (int i = 0; i < 2000; ++i) {
          log->Log(i % 2 ? LogLevel::kWarning : LogLevel::kInfo,
                   "t" + std::to_string(t) + " line " + std::to_string(i));
        }
      });
    }
    for (auto& th : threads) th.join();
  }  // the destructor writes what is left
  ::close(fd);
  std::ifstream in(path);
  std::string line;
  std::vector<int> next(4, 0);
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    ASSERT_EQ(line.rfind("assume-spoke-role: ", 0), 0u) << line;
    EXPECT_EQ(line.find("not written"), std::string::npos);
    std::size_t t_pos = line.find(" t");
    ASSERT_NE(t_pos, std::string::npos) << line;
    int t = line[t_pos + 2] - '0';
    int i = std::stoi(line.substr(line.find(" line ") + 6));
    EXPECT_EQ(i, next[static_cast<std::size_t>(t)]) << "per-thread order is kept: " << line;
    next[static_cast<std::size_t>(t)] = i + 1;
    EXPECT_EQ(line.find("warning: ") != std::string::npos, i % 2 == 1) << line;
  }
  EXPECT_EQ(lines, 8000);
  ::unlink(path);
}

TEST(BackgroundLogger, WritesLinesWhileRunningNotOnlyWhenDestroyed) {
  // Idle, lingering after a write, and after a burst: each line reaches the file while the
  // logger lives (tests and users tail the lab's log while it runs).
  char path[] = "/tmp/background-logger-test.XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  auto read_all = [&path] {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  auto eventually_has = [&read_all](const std::string& needle) {
    for (int i = 0; i < 500; ++i) {  // up to 5 s: generous for a loaded CI machine
      if (read_all().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  };
  auto log = MakeBackgroundLogger(fd, LogLevel::kInfo);
  log->Log(LogLevel::kInfo, "first");
  EXPECT_TRUE(eventually_has("first\n"));
  log->Log(LogLevel::kInfo, "second");  // right after a write: the writer may be lingering
  EXPECT_TRUE(eventually_has("second\n"));
  for (int i = 0; i < 5000; ++i) log->Log(LogLevel::kInfo, "burst " + std::to_string(i));
  EXPECT_TRUE(eventually_has("burst 4999\n"));
  log.reset();
  ::close(fd);
  ::unlink(path);
}

}  // namespace hubspoke
