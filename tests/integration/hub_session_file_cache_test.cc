#include "hubspoke/hub_session_file_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/time.h"
#include "lab/lab_testing.h"
#include "testing/fake_sts.h"
#include "testing/memory_file_system.h"
#include "testing/temp_directory.h"

namespace hubspoke {
namespace {

namespace fs = std::filesystem;
using lab::testing::ManualClock;

constexpr char kSecret[] = "hub-cache-test-secret-access-key-000001";
constexpr char kToken[] = "hub-cache-test-session-token-000001";

CachedHubSession Session(TimePoint expiration) {
  CachedHubSession s;
  s.credentials.access_key_id = "ASIAHUBCACHETEST0001";
  s.credentials.secret_access_key = SecretString(kSecret);
  s.credentials.session_token = SecretString(kToken);
  s.credentials.expiration = std::chrono::time_point_cast<std::chrono::seconds>(expiration);
  s.session_arn = "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me";
  return s;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// On the real disk: modes, owners, symbolic links and FIFOs as the OS makes them.
class HubSessionCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    dir_ = root_ + "/run/assume-spoke-role";
    key_ = HubSessionFileCache::KeyFor("AKIAEXAMPLEBASE00001", "hub hop description");
  }
  void TearDown() override {
    const std::string text = log_.text();
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }
  HubSessionFileCache Cache() { return HubSessionFileCache(dir_, clock_, log_, *files_); }
  std::string EntryPath() const { return dir_ + "/" + key_ + ".json"; }
  static mode_t ModeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st.st_mode & 07777;
  }

  hubspoke::testing::TempDirectory tmp_{"hub-cache-test"};
  std::unique_ptr<FileSystem> files_ = MakeRealFileSystem();
  std::string root_, dir_, key_;
  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
};

TEST_F(HubSessionCacheTest, DirectoryFromTheEnvironment) {
  auto dir = [](std::vector<std::pair<std::string, std::string>> vars) {
    auto r = DefaultHubSessionFileCacheDirectory(*MakeMapEnvironment(std::move(vars)));
    return r ? *r : "error: " + r.error().message();
  };
  EXPECT_EQ(dir({{"XDG_RUNTIME_DIR", "/run/user/1000"}, {"HOME", "/home/me"}}),
            "/run/user/1000/assume-spoke-role");
  EXPECT_EQ(dir({{"XDG_CACHE_HOME", "/home/me/.xc"}, {"HOME", "/home/me"}}),
            "/home/me/.xc/assume-spoke-role");
  EXPECT_EQ(dir({{"XDG_RUNTIME_DIR", "relative"}, {"HOME", "/home/me"}}),
            "/home/me/.cache/assume-spoke-role")
      << "relative XDG paths are ignored, as the XDG spec says";
  EXPECT_NE(dir({}).find("error: "), std::string::npos);
}

TEST_F(HubSessionCacheTest, KeyDependsOnBaseIdentityAndHubHop) {
  EXPECT_EQ(key_.size(), 64u);
  EXPECT_EQ(key_, HubSessionFileCache::KeyFor("AKIAEXAMPLEBASE00001", "hub hop description"));
  EXPECT_NE(key_, HubSessionFileCache::KeyFor("AKIAEXAMPLEBASE00002", "hub hop description"));
  EXPECT_NE(key_, HubSessionFileCache::KeyFor("AKIAEXAMPLEBASE00001", "hub hop descriptioN"));
  EXPECT_NE(HubSessionFileCache::KeyFor("ab", "c"), HubSessionFileCache::KeyFor("a", "bc"));
}

TEST_F(HubSessionCacheTest, StoreThenLoadWithPrivatePermissions) {
  auto cache = Cache();
  EXPECT_FALSE(cache.Load(key_)) << "nothing yet";
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  EXPECT_EQ(ModeOf(dir_), 0700u);
  EXPECT_EQ(ModeOf(EntryPath()), 0600u);
  auto loaded = cache.Load(key_);
  ASSERT_TRUE(loaded) << log_.text();
  EXPECT_EQ(loaded->credentials.access_key_id, "ASIAHUBCACHETEST0001");
  EXPECT_EQ(loaded->credentials.secret_access_key.reveal(), kSecret);
  EXPECT_EQ(loaded->credentials.session_token.reveal(), kToken);
  EXPECT_EQ(loaded->session_arn, "arn:aws:sts::999999999999:assumed-role/automation-hub-role/me");
  EXPECT_EQ(log_.text().find("cache: ignoring"), std::string::npos) << log_.text();
  EXPECT_FALSE(cache.Load(HubSessionFileCache::KeyFor("AKIAOTHER", "hub hop description")));
}

TEST_F(HubSessionCacheTest, NeverUsedWithinTheMarginOfItsExpiry) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  clock_.Advance(std::chrono::minutes(9) + std::chrono::seconds(59));
  EXPECT_TRUE(cache.Load(key_)) << "5 min 1 s left";
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(cache.Load(key_)) << "5 min left: the margin";
}

TEST_F(HubSessionCacheTest, ReplacementIsAtomicAndLeavesNoTemporaryFiles) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  struct stat first {};
  ASSERT_EQ(::stat(EntryPath().c_str(), &first), 0);
  CachedHubSession newer = Session(clock_.Now() + std::chrono::minutes(30));
  newer.credentials.access_key_id = "ASIAHUBCACHETEST0002";
  cache.Store(key_, newer);
  struct stat second {};
  ASSERT_EQ(::stat(EntryPath().c_str(), &second), 0);
  EXPECT_NE(first.st_ino, second.st_ino) << "a new file renamed over the old one";
  EXPECT_EQ(cache.Load(key_)->credentials.access_key_id, "ASIAHUBCACHETEST0002");
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    ++files;
    EXPECT_EQ(e.path().filename().string().rfind(".tmp-", 0), std::string::npos);
  }
  EXPECT_EQ(files, 1);
}

TEST_F(HubSessionCacheTest, FilesOpenToOthersAreIgnoredWithAWarning) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  ASSERT_EQ(::chmod(EntryPath().c_str(), 0644), 0);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + EntryPath() + ": mode 0644 lets others in"),
            std::string::npos)
      << log_.text();
}

TEST_F(HubSessionCacheTest, DirectoryOpenToOthersIsNotUsed) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  ASSERT_EQ(::chmod(dir_.c_str(), 0777), 0);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + dir_ + ": mode 0777 lets others in"),
            std::string::npos)
      << log_.text();
}

TEST_F(HubSessionCacheTest, SymlinksAreNeverFollowed) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  const std::string real = root_ + "/elsewhere.json";
  fs::rename(EntryPath(), real);
  fs::create_symlink(real, EntryPath());
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("symbolic link"), std::string::npos) << log_.text();
}

TEST_F(HubSessionCacheTest, OnlySmallRegularFilesAreRead) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  fs::remove(EntryPath());
  ASSERT_EQ(::mkfifo(EntryPath().c_str(), 0600), 0);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + EntryPath() + ": is a FIFO"), std::string::npos)
      << log_.text();
  fs::remove(EntryPath());
  std::ofstream(EntryPath()) << std::string(64 * 1024 + 1, ' ');
  ASSERT_EQ(::chmod(EntryPath().c_str(), 0600), 0);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + EntryPath() + ": is larger than 64 KiB"),
            std::string::npos)
      << log_.text();
}

TEST_F(HubSessionCacheTest, ForeignOwnedFilesAreIgnored) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown a file to another user";
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  ASSERT_EQ(::chown(EntryPath().c_str(), 12345, 12345), 0);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("owned by uid 12345, not us"), std::string::npos) << log_.text();
}

TEST_F(HubSessionCacheTest, CorruptFilesAreIgnoredWithAWarningThatQuotesNothing) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  const std::string good = ReadFile(EntryPath());
  struct Case {
    std::string text;
    std::string reason;
  };
  std::string wrong_key = good;
  wrong_key.replace(wrong_key.find(key_), key_.size(), std::string(64, 'a'));
  std::string no_token = good;
  no_token.replace(no_token.find("SessionToken"), 12, "SessionTokeX");
  std::string bad_time = good;
  bad_time.replace(bad_time.find("\"Expiration\":\"") + 14, 4, "20xx");
  for (const Case& c : {Case{"{\"SecretAccessKey\": \"" + std::string(kSecret) + "\"", "corrupt"},
                        Case{"[]", "corrupt"},
                        Case{"", "corrupt"},
                        Case{wrong_key, "made for another key"},
                        Case{no_token, "a field is missing"},
                        Case{bad_time, "bad Expiration"}}) {
    {
      std::ofstream out(EntryPath(), std::ios::trunc);
      out << c.text;
    }
    ASSERT_EQ(::chmod(EntryPath().c_str(), 0600), 0);
    EXPECT_FALSE(cache.Load(key_)) << c.reason;
    EXPECT_NE(log_.text().find(c.reason), std::string::npos) << c.reason << "\n" << log_.text();
  }
}

TEST_F(HubSessionCacheTest, ClearRemovesOnlyOurEntries) {
  auto cache = Cache();
  EXPECT_EQ(*cache.Clear(), 0) << "no directory yet";
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  cache.Store(HubSessionFileCache::KeyFor("AKIAOTHER", "x"),
              Session(clock_.Now() + std::chrono::minutes(15)));
  std::ofstream(dir_ + "/.tmp-abc123") << "partial";
  std::ofstream(dir_ + "/notes.txt") << "not ours";
  auto removed = cache.Clear();
  ASSERT_TRUE(removed) << removed.error().message();
  EXPECT_EQ(*removed, 3);
  EXPECT_TRUE(fs::exists(dir_ + "/notes.txt"));
  EXPECT_FALSE(cache.Load(key_));
}

TEST_F(HubSessionCacheTest, UncreatableDirectoryIsAWarningNotAnError) {
  std::ofstream(root_ + "/run") << "a file where the directory should go";
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  EXPECT_NE(log_.text().find("cache: cannot create " + dir_), std::string::npos) << log_.text();
  EXPECT_FALSE(cache.Load(key_));
}

// In memory: what the real disk cannot show without root (another user's file) or at will (a
// full disk).
class HubSessionCacheInMemoryTest : public ::testing::Test {
 protected:
  HubSessionCacheInMemoryTest() { files_.AddDirectory("/run/user/1000", 0700); }
  void TearDown() override {
    const std::string text = log_.text();
    EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
    EXPECT_EQ(text.find(kToken), std::string::npos) << text;
  }
  HubSessionFileCache Cache() { return HubSessionFileCache(dir_, clock_, log_, files_); }

  const std::string dir_ = "/run/user/1000/assume-spoke-role";
  const std::string key_ = HubSessionFileCache::KeyFor("AKIAEXAMPLEBASE00001", "hub hop description");
  const std::string entry_ = dir_ + "/" + key_ + ".json";
  hubspoke::testing::MemoryFileSystem files_;
  ManualClock clock_;
  hubspoke::testing::CapturingLogger log_;
};

TEST_F(HubSessionCacheInMemoryTest, StoresAtomicallyInAPrivateDirectory) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  EXPECT_EQ(files_.Stat(dir_).stat.mode, 0700u);
  EXPECT_EQ(files_.Stat(entry_).stat.mode, 0600u);
  EXPECT_EQ(files_.List(dir_).names, std::vector<std::string>{key_ + ".json"});
  auto loaded = cache.Load(key_);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->credentials.session_token.reveal(), kToken);
}

TEST_F(HubSessionCacheInMemoryTest, ForeignOwnedFilesAndDirectoriesAreIgnored) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  files_.SetOwner(entry_, files_.user() + 12345);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + entry_ + ": owned by uid " +
                             std::to_string(files_.user() + 12345) + ", not us"),
            std::string::npos)
      << log_.text();
  files_.SetOwner(entry_, files_.user());
  ASSERT_TRUE(cache.Load(key_));
  files_.SetOwner(dir_, files_.user() + 1);
  EXPECT_FALSE(cache.Load(key_));
  EXPECT_NE(log_.text().find("cache: ignoring " + dir_ + ": owned by uid"), std::string::npos)
      << log_.text();
}

TEST_F(HubSessionCacheInMemoryTest, AFailedWriteIsAWarningAndKeepsTheOldEntry) {
  auto cache = Cache();
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(15)));
  files_.FailWrites("No space left on device");
  cache.Store(key_, Session(clock_.Now() + std::chrono::minutes(50)));
  EXPECT_NE(log_.text().find("cache: cannot save " + entry_ + ": No space left on device"),
            std::string::npos)
      << log_.text();
  auto loaded = cache.Load(key_);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded->credentials.expiration,
            std::chrono::time_point_cast<std::chrono::seconds>(clock_.Now() +
                                                               std::chrono::minutes(15)));
}

TEST_F(HubSessionCacheInMemoryTest, ClearReportsWhatItCannotRemove) {
  files_.AddFile(dir_ + "/notes.txt", "not ours");
  files_.SetMode(dir_, 0700);
  files_.DenyAccess(dir_);
  auto cleared = Cache().Clear();
  ASSERT_FALSE(cleared);
  EXPECT_EQ(cleared.error().message(), "cache clear: " + dir_ + ": Permission denied");
}

}  // namespace
}  // namespace hubspoke
