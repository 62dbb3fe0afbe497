// The real FileSystem against the real OS: hostile files (FIFOs, devices, sockets, symbolic
// links, directories, permissions) and atomic writes.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "hubspoke/file_system.h"
#include "testing/temp_directory.h"

namespace hubspoke {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

class ReadRegularFile : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string Fifo(const std::string& name) {
    const std::string path = dir_ + "/" + name;
    EXPECT_EQ(mkfifo(path.c_str(), 0600), 0) << std::strerror(errno);
    return path;
  }
  // Reads and checks it returned promptly (a FIFO without a writer must not block).
  ReadFileResult Read(const std::string& path, ReadFileOptions options = {.max_bytes = 1024}) {
    const auto start = Clock::now();
    ReadFileResult r = files_->Read(path, options);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(2)) << path;
    return r;
  }

  testing::TempDirectory tmp_{"read_file"};
  const std::string dir_ = tmp_.path();
  std::unique_ptr<FileSystem> files_ = MakeRealFileSystem();
};

TEST_F(ReadRegularFile, RegularFile) {
  const std::string path = Write("f", "hello\nworld");
  auto r = Read(path);
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes, "hello\nworld");
  EXPECT_EQ(r.reason, "");
}

TEST_F(ReadRegularFile, EmptyFileIsOkAndEmpty) {
  auto r = Read(Write("empty", ""));
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes, "");
}

TEST_F(ReadRegularFile, MissingFileIsNotFound) {
  auto r = Read(dir_ + "/absent");
  EXPECT_EQ(r.status, ReadFileStatus::kNotFound);
  EXPECT_EQ(r.reason, "No such file or directory");
  EXPECT_EQ(ReadFileError("--policy", dir_ + "/absent", r),
            "--policy: cannot read '" + dir_ + "/absent': No such file or directory");
}

// A path through a regular file cannot exist either.
TEST_F(ReadRegularFile, PathThroughAFileIsNotFound) {
  auto r = Read(Write("plain", "x") + "/config");
  EXPECT_EQ(r.status, ReadFileStatus::kNotFound);
  EXPECT_EQ(r.reason, "Not a directory");
}

TEST_F(ReadRegularFile, DirectoryIsRefused) {
  auto r = Read(dir_);
  EXPECT_EQ(r.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(r.reason, "is a directory");
  EXPECT_EQ(ReadFileError("AWS_CONFIG_FILE", dir_, r),
            "AWS_CONFIG_FILE: cannot read '" + dir_ +
                "': is a directory (a regular file is required)");
}

// No writer: a blocking open would wait forever.
TEST_F(ReadRegularFile, FifoIsRefusedPromptly) {
  const std::string fifo = Fifo("fifo");
  auto r = Read(fifo);
  EXPECT_EQ(r.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(r.reason, "is a FIFO");
  EXPECT_EQ(ReadFileError("--policy", fifo, r),
            "--policy: cannot read '" + fifo + "': is a FIFO (a regular file is required)");
}

TEST_F(ReadRegularFile, SymlinkToAFifoIsRefusedPromptly) {
  const std::string fifo = Fifo("fifo");
  fs::create_symlink(fifo, dir_ + "/link");
  auto r = Read(dir_ + "/link");
  EXPECT_EQ(r.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(r.reason, "is a FIFO");
}

// /dev/zero never ends: it must be refused for its type, not read up to the limit.
TEST_F(ReadRegularFile, DevZeroIsACharacterDevice) {
  auto r = Read("/dev/zero", {.max_bytes = 1 << 20});
  EXPECT_EQ(r.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(r.reason, "is a character device");
  EXPECT_TRUE(r.bytes.empty());
}

TEST_F(ReadRegularFile, DevNullReadsAsEmptyUnlessRefused) {
  auto r = Read("/dev/null");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes, "");
  auto refused = Read("/dev/null", {.max_bytes = 1024, .dev_null_reads_empty = false});
  EXPECT_EQ(refused.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(refused.reason, "is a character device");
}

TEST_F(ReadRegularFile, SymlinkToARegularFileIsFollowedUnlessRefused) {
  fs::create_symlink(Write("target", "content"), dir_ + "/link");
  auto r = Read(dir_ + "/link");
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes, "content");
  auto refused = Read(dir_ + "/link", {.max_bytes = 1024, .follow_symlinks = false});
  EXPECT_EQ(refused.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(refused.reason, "is a symbolic link");
}

TEST_F(ReadRegularFile, SocketIsRefused) {
  const std::string path = dir_ + "/sock";
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  auto r = Read(path);
  close(fd);
  EXPECT_EQ(r.status, ReadFileStatus::kNotRegular);
  EXPECT_EQ(r.reason, "is a socket");
}

TEST_F(ReadRegularFile, LargerThanTheLimitBySizeIsRefused) {
  const std::string path = Write("big", std::string(1025, 'x'));
  auto r = Read(path);
  EXPECT_EQ(r.status, ReadFileStatus::kTooLarge);
  EXPECT_EQ(r.reason, "is larger than 1 KiB");
  EXPECT_TRUE(r.bytes.empty());
  EXPECT_EQ(ReadFileError("--policy", path, r), "--policy: '" + path + "' is larger than 1 KiB");
  EXPECT_EQ(Read(path, {.max_bytes = 1000}).reason, "is larger than 1000 bytes");
  EXPECT_EQ(Read(Write("huge", std::string((1 << 20) + 1, 'x')), {.max_bytes = 1 << 20}).reason,
            "is larger than 1 MiB");
}

TEST_F(ReadRegularFile, ExactlyTheLimitIsRead) {
  auto r = Read(Write("limit", std::string(1024, 'x')));
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes.size(), 1024u);
}

TEST_F(ReadRegularFile, UnreadableFileIsAnError) {
  if (geteuid() == 0) GTEST_SKIP() << "runs as root: mode 000 does not stop root from reading";
  const std::string path = Write("locked", "secret");
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  auto r = Read(path);
  EXPECT_EQ(r.status, ReadFileStatus::kError);
  EXPECT_EQ(r.reason, "Permission denied");
  EXPECT_EQ(ReadFileError("x", path, r), "x: cannot read '" + path + "': Permission denied");
}

// The file grows between fstat and read (here: in the check, which runs in between). What is
// read counts, not the size fstat reported.
TEST_F(ReadRegularFile, FileThatGrowsPastTheLimitIsRefused) {
  const std::string path = Write("growing", std::string(100, 'a'));
  auto grow = [&](std::size_t bytes) {
    return [&, bytes](const FileStat&) {
      std::ofstream(path, std::ios::binary | std::ios::app) << std::string(bytes, 'b');
      return std::string();
    };
  };
  auto r = Read(path, {.max_bytes = 1024, .check = grow(1000)});
  EXPECT_EQ(r.status, ReadFileStatus::kTooLarge);
  EXPECT_EQ(r.reason, "is larger than 1 KiB");
  EXPECT_TRUE(r.bytes.empty());
  // Growing within the limit: all of it is read (through a larger buffer).
  Write("growing", std::string(100, 'a'));
  auto grown = Read(path, {.max_bytes = 64 * 1024, .check = grow(10000)});
  ASSERT_TRUE(grown.ok()) << grown.reason;
  EXPECT_EQ(grown.bytes, std::string(100, 'a') + std::string(10000, 'b'));
}

// /proc files report a size of 0 and have content.
TEST_F(ReadRegularFile, FileReportingSizeZeroIsReadAndBounded) {
  struct stat st {};
  ASSERT_EQ(stat("/proc/self/status", &st), 0);
  ASSERT_EQ(st.st_size, 0);
  auto r = Read("/proc/self/status", {.max_bytes = 1 << 20});
  ASSERT_TRUE(r.ok()) << r.reason;
  EXPECT_EQ(r.bytes.rfind("Name:", 0), 0u) << r.bytes;
  auto small = Read("/proc/self/status", {.max_bytes = 16});
  EXPECT_EQ(small.status, ReadFileStatus::kTooLarge);
  EXPECT_EQ(small.reason, "is larger than 16 bytes");
}

TEST_F(ReadRegularFile, CheckSeesTheOpenFileAndCanRefuseIt) {
  const std::string path = Write("f", "x");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  auto r = Read(path, {.max_bytes = 1024, .check = [](const FileStat& st) {
                         EXPECT_EQ(st.type, FileType::kRegular);
                         EXPECT_EQ(st.owner, geteuid());
                         EXPECT_EQ(st.size, 1u);
                         return (st.mode & 077) != 0 ? std::string("mode lets others in")
                                                     : std::string();
                       }});
  EXPECT_EQ(r.status, ReadFileStatus::kRefused);
  EXPECT_EQ(r.reason, "mode lets others in");
  EXPECT_TRUE(r.bytes.empty());
}

TEST_F(ReadRegularFile, ErrorLinesAreOneLineAndPrintable) {
  const std::string path = dir_ + "/new\nline";
  auto r = Read(path);
  EXPECT_EQ(r.status, ReadFileStatus::kNotFound);
  EXPECT_EQ(ReadFileError("--model", path, r),
            "--model: cannot read '" + dir_ + "/new?line': No such file or directory");
}

// ---- the other operations ----------------------------------------------------------------

class RealFileSystem : public ::testing::Test {
 protected:
  testing::TempDirectory tmp_{"real_fs"};
  const std::string dir_ = tmp_.path();
  std::unique_ptr<FileSystem> files_ = MakeRealFileSystem();
};

TEST_F(RealFileSystem, WriteAtomicallyMakesTheFileWithTheModeAndLeavesNoTemporaryFile) {
  const std::string path = dir_ + "/entry.json";
  ASSERT_TRUE(files_->WriteAtomically(path, "first").ok());
  auto st = files_->Stat(path);
  ASSERT_TRUE(st.ok()) << st.reason;
  EXPECT_EQ(st.stat.type, FileType::kRegular);
  EXPECT_EQ(st.stat.mode, 0600u);  // the default
  EXPECT_EQ(st.stat.owner, geteuid());
  EXPECT_EQ(st.stat.size, 5u);
  ASSERT_TRUE(files_->WriteAtomically(path, "second, longer", 0644).ok());
  EXPECT_EQ(files_->Read(path, {.max_bytes = 100}).bytes, "second, longer");
  EXPECT_EQ(files_->Stat(path).stat.mode, 0644u);
  auto listed = files_->List(dir_);
  ASSERT_TRUE(listed.ok()) << listed.reason;
  EXPECT_EQ(listed.names, std::vector<std::string>{"entry.json"});
}

// rename(2) replaces a symbolic link at the path; it never writes through it.
TEST_F(RealFileSystem, WriteAtomicallyReplacesASymlinkInsteadOfFollowingIt) {
  const std::string victim = tmp_.Write("victim", "untouched");
  fs::create_symlink(victim, dir_ + "/entry");
  ASSERT_TRUE(files_->WriteAtomically(dir_ + "/entry", "new").ok());
  EXPECT_EQ(files_->Read(victim, {.max_bytes = 100}).bytes, "untouched");
  EXPECT_EQ(files_->Stat(dir_ + "/entry", /*follow_symlinks=*/false).stat.type,
            FileType::kRegular);
}

TEST_F(RealFileSystem, WriteAtomicallyFailsCleanly) {
  auto missing = files_->WriteAtomically(dir_ + "/no/such/dir/file", "x");
  EXPECT_EQ(missing.status, FileOpStatus::kNotFound);
  EXPECT_EQ(missing.reason, "No such file or directory");
  // Onto a directory: the rename fails, the temporary file is removed.
  ASSERT_TRUE(files_->CreateDirectory(dir_ + "/sub", 0700).ok());
  auto onto_dir = files_->WriteAtomically(dir_ + "/sub", "x");
  EXPECT_EQ(onto_dir.status, FileOpStatus::kError);
  EXPECT_EQ(onto_dir.reason, "Is a directory");
  EXPECT_EQ(files_->List(dir_).names, std::vector<std::string>{"sub"});
}

TEST_F(RealFileSystem, StatFollowsSymlinksOnlyWhenAsked) {
  fs::create_symlink(dir_, dir_ + "/link");
  EXPECT_EQ(files_->Stat(dir_ + "/link").stat.type, FileType::kDirectory);
  EXPECT_EQ(files_->Stat(dir_ + "/link", /*follow_symlinks=*/false).stat.type, FileType::kSymlink);
  auto dir = files_->Stat(dir_);
  EXPECT_EQ(dir.stat.mode, 0700u);  // as mkdtemp makes it
  auto fifo_path = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo_path.c_str(), 0600), 0);
  EXPECT_EQ(files_->Stat(fifo_path).stat.type, FileType::kFifo);
  auto null = files_->Stat("/dev/null");
  EXPECT_EQ(null.stat.type, FileType::kCharDevice);
  EXPECT_TRUE(null.stat.null_device);
  EXPECT_FALSE(files_->Stat("/dev/zero").stat.null_device);
  auto absent = files_->Stat(dir_ + "/absent");
  EXPECT_EQ(absent.status, FileOpStatus::kNotFound);
  EXPECT_EQ(absent.reason, "No such file or directory");
  auto through = files_->Stat(tmp_.Write("plain", "") + "/x");
  EXPECT_EQ(through.status, FileOpStatus::kError);
  EXPECT_EQ(through.reason, "Not a directory");
}

TEST_F(RealFileSystem, StatReportsTheModificationTime) {
  const auto before = std::chrono::system_clock::now() - std::chrono::seconds(2);
  const std::string path = tmp_.Write("f", "x");
  auto st = files_->Stat(path);
  EXPECT_GT(st.stat.mtime, before);
  EXPECT_LT(st.stat.mtime, std::chrono::system_clock::now() + std::chrono::seconds(2));
}

TEST_F(RealFileSystem, CreateRemoveAndList) {
  ASSERT_TRUE(files_->CreateDirectory(dir_ + "/d", 0700).ok());
  EXPECT_EQ(files_->Stat(dir_ + "/d").stat.mode, 0700u);
  auto again = files_->CreateDirectory(dir_ + "/d", 0700);
  EXPECT_EQ(again.status, FileOpStatus::kExists);
  EXPECT_EQ(again.reason, "File exists");
  EXPECT_EQ(files_->CreateDirectory(dir_ + "/no/d", 0700).status, FileOpStatus::kNotFound);

  auto unique = files_->CreateUniqueDirectory(dir_ + "/child.");
  ASSERT_TRUE(unique.ok()) << unique.reason;
  EXPECT_EQ(unique.path.rfind(dir_ + "/child.", 0), 0u);
  EXPECT_EQ(unique.path.size(), dir_.size() + 7 + 6);
  EXPECT_EQ(files_->Stat(unique.path).stat.mode, 0700u);
  EXPECT_NE(files_->CreateUniqueDirectory(dir_ + "/child.").path, unique.path);

  tmp_.Write("d/f", "x");
  auto listed = files_->List(dir_ + "/d");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed.names, std::vector<std::string>{"f"});
  auto not_empty = files_->Remove(dir_ + "/d");
  EXPECT_EQ(not_empty.status, FileOpStatus::kError);
  EXPECT_EQ(not_empty.reason, "Directory not empty");
  EXPECT_TRUE(files_->Remove(dir_ + "/d/f").ok());
  EXPECT_TRUE(files_->Remove(dir_ + "/d").ok());
  EXPECT_EQ(files_->Remove(dir_ + "/d").status, FileOpStatus::kNotFound);
  EXPECT_EQ(files_->List(dir_ + "/d").status, FileOpStatus::kNotFound);
  // A symbolic link is removed, not what it points at.
  const std::string target = tmp_.Write("target", "x");
  fs::create_symlink(target, dir_ + "/link");
  EXPECT_TRUE(files_->Remove(dir_ + "/link").ok());
  EXPECT_TRUE(files_->Stat(target).ok());
}

}  // namespace
}  // namespace hubspoke
