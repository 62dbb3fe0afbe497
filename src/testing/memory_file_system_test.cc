// ctest-label: threads
// The in-memory FileSystem answers as the real one does (src/sys/real_file_system_test.cc shows
// the real answers): the same statuses and reasons for missing, hostile and refused files.
#include "testing/memory_file_system.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "testing/fake_sts.h"

namespace hubspoke::testing {
namespace {

const ReadFileOptions kSmall{.max_bytes = 1024};

TEST(MemoryFileSystem, ReadsWhatWasAddedWithParentsMade) {
  MemoryFileSystem files;
  files.AddFile("/home/u/.aws/config", "[default]\n");
  auto r = files.Read("/home/u/.aws/config", kSmall);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes, "[default]\n");
  EXPECT_EQ(files.Stat("/home/u/.aws").stat.type, FileType::kDirectory);
  EXPECT_EQ(files.Read("/home/u/./.aws/../.aws//config", kSmall).bytes, "[default]\n");
  EXPECT_EQ(files.Content("/home/u/.aws/config"), "[default]\n");
  EXPECT_EQ(files.Content("/home/u/.aws"), std::nullopt);
  // As on disk, ".." needs what it leaves to exist.
  EXPECT_EQ(files.Read("/home/u/x/../.aws/config", kSmall).status, ReadFileStatus::kNotFound);
}

TEST(MemoryFileSystem, MissingAndPathThroughAFileAreNotFound) {
  MemoryFileSystem files;
  files.AddFile("/plain", "x");
  auto missing = files.Read("/absent", kSmall);
  EXPECT_EQ(missing.status, ReadFileStatus::kNotFound);
  EXPECT_EQ(missing.reason, "No such file or directory");
  auto through = files.Read("/plain/config", kSmall);
  EXPECT_EQ(through.status, ReadFileStatus::kNotFound);
  EXPECT_EQ(through.reason, "Not a directory");
  EXPECT_EQ(ReadFileError("--policy", "/absent", missing),
            "--policy: cannot read '/absent': No such file or directory");
}

TEST(MemoryFileSystem, HostileFilesAreRefusedForWhatTheyAre) {
  MemoryFileSystem files;
  files.AddFifo("/d/fifo");
  files.AddCharDevice("/dev/zero");
  files.AddCharDevice("/dev/null", /*null_device=*/true);
  files.AddSocket("/d/sock");
  files.AddSymlink("/d/link-to-fifo", "/d/fifo");
  const std::pair<std::string, std::string> cases[] = {
      {"/d/fifo", "is a FIFO"},
      {"/dev/zero", "is a character device"},
      {"/d", "is a directory"},
      {"/d/sock", "is a socket"},
      {"/d/link-to-fifo", "is a FIFO"},
  };
  for (const auto& [path, why] : cases) {
    auto r = files.Read(path, kSmall);
    EXPECT_EQ(r.status, ReadFileStatus::kNotRegular) << path;
    EXPECT_EQ(r.reason, why) << path;
  }
  EXPECT_EQ(ReadFileError("--policy", "/d/fifo", files.Read("/d/fifo", kSmall)),
            "--policy: cannot read '/d/fifo': is a FIFO (a regular file is required)");
  auto null = files.Read("/dev/null", kSmall);
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null.bytes, "");
  auto refused = files.Read("/dev/null", {.max_bytes = 10, .dev_null_reads_empty = false});
  EXPECT_EQ(refused.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(refused.reason, "is a character device");
}

TEST(MemoryFileSystem, SymlinksAreFollowedUnlessRefused) {
  MemoryFileSystem files;
  files.AddFile("/real/target", "content");
  files.AddSymlink("/link", "/real/target");
  files.AddSymlink("/dir-link", "real");  // relative to its directory
  files.AddSymlink("/loop", "/loop");
  EXPECT_EQ(files.Read("/link", kSmall).bytes, "content");
  EXPECT_EQ(files.Read("/dir-link/target", kSmall).bytes, "content");
  auto refused = files.Read("/link", {.max_bytes = 100, .follow_symlinks = false});
  EXPECT_EQ(refused.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(refused.reason, "is a symbolic link");
  auto loop = files.Read("/loop", kSmall);
  EXPECT_EQ(loop.status, ReadFileStatus::kError);
  EXPECT_EQ(loop.reason, "Too many levels of symbolic links");
  EXPECT_EQ(files.Stat("/link", /*follow_symlinks=*/false).stat.type, FileType::kSymlink);
  EXPECT_EQ(files.Stat("/link").stat.type, FileType::kRegular);
}

TEST(MemoryFileSystem, SizeLimitDenialAndCheck) {
  MemoryFileSystem files;
  files.AddFile("/big", std::string(1025, 'x'));
  files.AddFile("/limit", std::string(1024, 'x'));
  auto big = files.Read("/big", kSmall);
  EXPECT_EQ(big.status, ReadFileStatus::kTooLarge);
  EXPECT_EQ(big.reason, "is larger than 1 KiB");
  EXPECT_TRUE(big.bytes.empty());
  EXPECT_TRUE(files.Read("/limit", kSmall).ok());

  files.AddFile("/locked", "secret");
  files.DenyAccess("/locked");
  auto locked = files.Read("/locked", kSmall);
  EXPECT_EQ(locked.status, ReadFileStatus::kError);
  EXPECT_EQ(locked.reason, "Permission denied");
  EXPECT_TRUE(files.Stat("/locked").ok());  // its inode can still be seen

  files.AddFile("/theirs", "x", 0644);
  files.SetOwner("/theirs", files.user() + 1);
  auto check = [&](const FileStat& st) {
    EXPECT_EQ(st.type, FileType::kRegular);
    EXPECT_EQ(st.size, 1u);
    if (st.owner != files.user()) return std::string("owned by someone else");
    return (st.mode & 077) != 0 ? std::string("open to others") : std::string();
  };
  auto theirs = files.Read("/theirs", {.max_bytes = 10, .check = check});
  EXPECT_EQ(theirs.status, ReadFileStatus::kRefused);
  EXPECT_EQ(theirs.reason, "owned by someone else");
  files.SetOwner("/theirs", files.user());
  EXPECT_EQ(files.Read("/theirs", {.max_bytes = 10, .check = check}).reason, "open to others");
  files.SetMode("/theirs", 0600);
  EXPECT_TRUE(files.Read("/theirs", {.max_bytes = 10, .check = check}).ok());
}

TEST(MemoryFileSystem, WriteAtomicallyReplacesTheFileWithItsMode) {
  FakeClock clock;
  MemoryFileSystem files(&clock);
  files.AddDirectory("/cache", 0700);
  ASSERT_TRUE(files.WriteAtomically("/cache/a", "one").ok());
  auto st = files.Stat("/cache/a");
  EXPECT_EQ(st.stat.mode, 0600u);
  EXPECT_EQ(st.stat.owner, files.user());
  EXPECT_EQ(st.stat.mtime, clock.Now());
  ASSERT_TRUE(files.WriteAtomically("/cache/a", "two", 0644).ok());
  EXPECT_EQ(files.Content("/cache/a"), "two");
  EXPECT_EQ(files.Stat("/cache/a").stat.mode, 0644u);
  EXPECT_EQ(files.List("/cache").names, std::vector<std::string>{"a"});

  // A symbolic link at the path is replaced, not written through.
  files.AddFile("/victim", "untouched");
  files.AddSymlink("/cache/b", "/victim");
  ASSERT_TRUE(files.WriteAtomically("/cache/b", "new").ok());
  EXPECT_EQ(files.Content("/victim"), "untouched");

  auto missing = files.WriteAtomically("/nowhere/x", "x");
  EXPECT_EQ(missing.status, FileOpStatus::kNotFound);
  EXPECT_EQ(missing.reason, "No such file or directory");
  EXPECT_EQ(files.WriteAtomically("/cache", "x").reason, "Is a directory");
  files.FailWrites("No space left on device");
  auto full = files.WriteAtomically("/cache/a", "three");
  EXPECT_EQ(full.status, FileOpStatus::kError);
  EXPECT_EQ(full.reason, "No space left on device");
  EXPECT_EQ(files.Content("/cache/a"), "two");
}

TEST(MemoryFileSystem, DirectoriesListRemove) {
  MemoryFileSystem files;
  ASSERT_TRUE(files.CreateDirectory("/d", 0700).ok());
  EXPECT_EQ(files.Stat("/d").stat.mode, 0700u);
  auto again = files.CreateDirectory("/d", 0700);
  EXPECT_EQ(again.status, FileOpStatus::kExists);
  EXPECT_EQ(again.reason, "File exists");
  EXPECT_EQ(files.CreateDirectory("/no/d", 0700).status, FileOpStatus::kNotFound);
  auto u1 = files.CreateUniqueDirectory("/tmp/child.");
  EXPECT_EQ(u1.status, FileOpStatus::kNotFound);  // no /tmp yet
  files.AddDirectory("/tmp", 01777);
  u1 = files.CreateUniqueDirectory("/tmp/child.");
  auto u2 = files.CreateUniqueDirectory("/tmp/child.");
  ASSERT_TRUE(u1.ok() && u2.ok());
  EXPECT_NE(u1.path, u2.path);
  EXPECT_EQ(u1.path.size(), std::string("/tmp/child.").size() + 6);
  EXPECT_EQ(files.Stat(u1.path).stat.mode, 0700u);

  files.AddFile("/d/f", "x");
  files.AddFile("/d-sibling", "x");  // sorts between "/d" and "/d/f"
  EXPECT_EQ(files.List("/d").names, std::vector<std::string>{"f"});
  EXPECT_EQ(files.Remove("/d").reason, "Directory not empty");
  EXPECT_TRUE(files.Remove("/d/f").ok());
  EXPECT_TRUE(files.Remove("/d").ok());
  EXPECT_EQ(files.Remove("/d").status, FileOpStatus::kNotFound);
  EXPECT_EQ(files.List("/d").status, FileOpStatus::kNotFound);
  EXPECT_EQ(files.List("/d-sibling").reason, "Not a directory");
  files.AddDirectory("/secret");
  files.DenyAccess("/secret");
  EXPECT_EQ(files.List("/secret").reason, "Permission denied");
  EXPECT_EQ(files.Read("/secret/x", kSmall).reason, "Permission denied");
  // A symbolic link is removed, not its target.
  files.AddSymlink("/link", "/d-sibling");
  EXPECT_TRUE(files.Remove("/link").ok());
  EXPECT_TRUE(files.Exists("/d-sibling"));
  EXPECT_FALSE(files.Exists("/link"));
}

TEST(MemoryFileSystem, ConcurrentWritesAndReadsSeeWholeFiles) {
  MemoryFileSystem files;
  files.AddDirectory("/c");
  const std::string a(4096, 'a'), b(4096, 'b');
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (t % 2 == 0) {
          EXPECT_TRUE(files.WriteAtomically("/c/entry", (i + t) % 2 ? a : b).ok());
        } else {
          auto r = files.Read("/c/entry", {.max_bytes = 8192});
          if (r.ok()) {
            EXPECT_TRUE(r.bytes == a || r.bytes == b);
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(files.List("/c").names, std::vector<std::string>{"entry"});
}

}  // namespace
}  // namespace hubspoke::testing
