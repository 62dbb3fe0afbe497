// A FileSystem in memory, for tests: files with content, owner, mode and type (regular,
// directory, FIFO, symbolic link, device, socket), so a test can express a hostile file (a FIFO
// where a config file should be, /dev/zero, a symlink to someone else's file, a cache file owned
// by another user or open to others, a file we may not read) without touching the disk. It
// answers as the real one does: the same statuses and the same reasons ("No such file or
// directory", "is a FIFO", "Permission denied"). Thread-safe. Tests only.
//
// Paths are absolute ("/home/u/.aws/config"); a relative path is taken from "/". Symbolic links
// are followed in every component but the last, and in the last unless told not to.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hubspoke/file_system.h"
#include "hubspoke/system.h"

namespace hubspoke::testing {

class MemoryFileSystem final : public FileSystem {
 public:
  // `clock`, when given, stamps every change (FileStat::mtime); else mtime stays at the epoch.
  explicit MemoryFileSystem(const Clock* clock = nullptr);

  // The uid that owns what is made (set up or written): geteuid() by default, so that files the
  // code under test made pass its "owned by us" checks.
  uid_t user() const { return user_; }

  // Set-up. Missing parent directories are made (0755, owned by user()); an existing entry at
  // `path` is replaced.
  void AddFile(const std::string& path, std::string_view content, unsigned mode = 0600);
  void AddDirectory(const std::string& path, unsigned mode = 0755);
  void AddSymlink(const std::string& path, const std::string& target);
  void AddFifo(const std::string& path);
  void AddSocket(const std::string& path);
  // A character device; /dev/null when `null_device`. Reading any other device is refused before
  // it is opened, as by the real one, so its content does not matter (/dev/zero).
  void AddCharDevice(const std::string& path, bool null_device = false);
  // Changes an existing entry (not following a symbolic link).
  void SetOwner(const std::string& path, uid_t owner);
  void SetMode(const std::string& path, unsigned mode);
  // `path` may no longer be opened, as with mode 0000 for another user: reading a regular file,
  // listing a directory, writing or going through it fail with "Permission denied" (kError).
  // Its type and mode can still be seen (Stat), as on disk.
  void DenyAccess(const std::string& path);
  // Every later WriteAtomically fails with `reason` (kError) and changes nothing ("No space left
  // on device"); an empty reason lets writes succeed again.
  void FailWrites(std::string reason);

  // Inspection: the content of a regular file (symbolic links followed), or nullopt.
  std::optional<std::string> Content(const std::string& path) const;
  bool Exists(const std::string& path) const;  // anything at `path` (the link itself)
  // Every path held, sorted ("/", "/home", "/home/u", …).
  std::vector<std::string> Paths() const;

  // FileSystem.
  ReadFileResult Read(const std::string& path, const ReadFileOptions& options) const override;
  FileOpResult WriteAtomically(const std::string& path, std::string_view bytes,
                               unsigned mode = 0600) override;
  StatResult Stat(const std::string& path, bool follow_symlinks = true) const override;
  FileOpResult CreateDirectory(const std::string& path, unsigned mode) override;
  MadeDirectory CreateUniqueDirectory(const std::string& prefix) override;
  FileOpResult Remove(const std::string& path) override;
  ListResult List(const std::string& directory) const override;

 private:
  struct Node {
    FileType type = FileType::kRegular;
    std::string data;  // a regular file's content; a symbolic link's target
    unsigned mode = 0600;
    uid_t owner = 0;
    TimePoint mtime{};
    bool null_device = false;
    bool denied = false;
  };
  // Where a path leads: the resolved path of an existing node, or why not (an errno value).
  struct Lookup {
    int err = 0;             // 0, ENOENT, ENOTDIR, ELOOP, EACCES
    std::string path;        // the resolved path (its parent exists when err is ENOENT)
    const Node* node = nullptr;
  };

  Lookup Resolve(const std::string& path, bool follow_last) const;  // mu_ held
  void Put(const std::string& path, Node node);                      // mu_ held
  void MakeParents(const std::string& path);                         // mu_ held
  Node NewNode(FileType type, unsigned mode) const;
  TimePoint Now() const;

  const Clock* clock_;
  const uid_t user_;
  mutable std::mutex mu_;
  std::map<std::string, Node> nodes_;  // by normalized absolute path; "/" always present
  std::string write_failure_;
  unsigned unique_counter_ = 0;
};

}  // namespace hubspoke::testing
