// The file system seam: every file the library and the CLI read or write by path (the shared
// config files, token files, the SSO token cache, the hub session cache, the child's private
// config files, --policy, the lab's model) goes through a FileSystem, so tests can express any
// file, hostile ones included (FIFOs, devices, symbolic links, foreign owners, open modes), in
// memory (testing::MemoryFileSystem) instead of on disk.
//
// Reading a file whose path came from the user or a configuration (a flag, an environment
// variable, a profile setting): a regular file only, of bounded size, with a short reason when
// not. So a FIFO cannot hang the tool, /dev/zero cannot exhaust its memory and a directory does
// not read as "empty".
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/credentials.h"
#include "hubspoke/result.h"

namespace hubspoke {

enum class FileType {
  kRegular,
  kDirectory,
  kSymlink,  // only from Stat without following symbolic links
  kFifo,
  kCharDevice,
  kBlockDevice,
  kSocket,
  kOther,
};

struct FileStat {
  FileType type = FileType::kRegular;
  uid_t owner = 0;               // the owner's uid
  unsigned mode = 0;             // the permission bits (07777)
  std::uint64_t size = 0;        // bytes
  TimePoint mtime{};             // last modification
  bool null_device = false;      // the character device 1:3 (/dev/null)
};

struct ReadFileOptions {
  std::size_t max_bytes = 0;  // larger files are refused (before and while reading)
  // false: a symbolic link as the last component is refused ("is a symbolic link").
  bool follow_symlinks = true;
  // /dev/null (the character device 1:3) reads as an empty file: AWS_CONFIG_FILE=/dev/null is
  // the usual way to run without one. false: it is refused like any other device.
  bool dev_null_reads_empty = true;
  // Optional further checks of the open regular file (owner, mode), made before reading it: a
  // non-empty reason refuses it with that reason (status kRefused).
  std::function<std::string(const FileStat&)> check;
};

enum class ReadFileStatus {
  kOk,
  kNotFound,    // ENOENT, or ENOTDIR (a path through a regular file)
  kNotRegular,  // a directory, FIFO, device, socket; a symbolic link without follow_symlinks
  kTooLarge,    // more than max_bytes
  kRefused,     // options.check gave a reason
  kError,       // any other failure: permission denied, an I/O error
};

struct ReadFileResult {
  ReadFileStatus status = ReadFileStatus::kError;
  // kOk: the content. Security: a caller reading a secret wipes it when done. On every failure
  // it is empty and whatever was read has been wiped.
  std::string bytes;
  // Otherwise, why; never any content: "is a FIFO", "is larger than 1 MiB", "Permission denied",
  // "No such file or directory".
  std::string reason;

  bool ok() const { return status == ReadFileStatus::kOk; }
};

// One line for a failed read, naming what asked for the file (a flag, an environment variable,
// a profile setting) and the path, made printable:
//   "--policy: cannot read 'p': is a FIFO (a regular file is required)"
//   "--policy: '/tmp/big.json' is larger than 1 MiB"
//   "AWS_CONFIG_FILE: cannot read 'c': Permission denied"
std::string ReadFileError(std::string_view what, std::string_view path,
                          const ReadFileResult& result);

// The outcome of an operation other than a read: kOk, or why not. The reason is the strerror
// text ("No such file or directory", "File exists", "Permission denied"), so messages stay those
// of the OS; decisions read the status.
enum class FileOpStatus {
  kOk,
  kNotFound,  // ENOENT
  kExists,    // EEXIST
  kError,     // anything else (ENOTDIR included)
};

struct FileOpResult {
  FileOpStatus status = FileOpStatus::kError;
  std::string reason;  // empty when kOk

  bool ok() const { return status == FileOpStatus::kOk; }
};

struct StatResult {
  FileOpStatus status = FileOpStatus::kError;  // kOk, kNotFound or kError
  FileStat stat;                               // when kOk
  std::string reason;                          // otherwise

  bool ok() const { return status == FileOpStatus::kOk; }
};

struct ListResult {
  FileOpStatus status = FileOpStatus::kError;
  std::vector<std::string> names;  // kOk: the entries' names, without "." and "..", unordered
  std::string reason;

  bool ok() const { return status == FileOpStatus::kOk; }
};

struct MadeDirectory {
  FileOpStatus status = FileOpStatus::kError;
  std::string path;  // kOk: the directory made
  std::string reason;

  bool ok() const { return status == FileOpStatus::kOk; }
};

// Thread-safe: every implementation may be used from several threads at once.
class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Reads `path` only if it is a regular file of at most options.max_bytes bytes (see
  // ReadFileOptions). The real one opens with O_NONBLOCK (a FIFO cannot hang the open) and
  // O_NOCTTY, checks the type by name before opening (no device is ever opened) and again on the
  // open file, and reads at most max_bytes + 1 bytes (a file can grow; /proc files report 0).
  virtual ReadFileResult Read(const std::string& path, const ReadFileOptions& options) const = 0;

  // Replaces `path` atomically with `bytes`: a new temporary file in the same directory
  // (O_CREAT|O_EXCL|O_NOFOLLOW, `mode`), written, fsynced, renamed over `path`. Readers see the
  // old content or the new, never a part. On failure the temporary file is gone and `path` is
  // untouched. Security: the temporary copy of the bytes is not kept.
  virtual FileOpResult WriteAtomically(const std::string& path, std::string_view bytes,
                                       unsigned mode = 0600) = 0;

  // stat(2) or, with follow_symlinks false, lstat(2).
  virtual StatResult Stat(const std::string& path, bool follow_symlinks = true) const = 0;

  // mkdir(2) with `mode` (less the umask): kExists when something is already there.
  virtual FileOpResult CreateDirectory(const std::string& path, unsigned mode) = 0;

  // A new directory `prefix` + six random characters, mode 0700, as mkdtemp(3).
  virtual MadeDirectory CreateUniqueDirectory(const std::string& prefix) = 0;

  // Removes a file, a symbolic link or an empty directory.
  virtual FileOpResult Remove(const std::string& path) = 0;

  // The names in a directory.
  virtual ListResult List(const std::string& directory) const = 0;
};

// The operating system's file system.
std::unique_ptr<FileSystem> MakeRealFileSystem();

}  // namespace hubspoke
