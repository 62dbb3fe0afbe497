// Reading a file whose path came from the user or a configuration (a flag, an environment
// variable, a profile setting): a regular file only, of bounded size, with a short reason when
// not. Every such read goes through here, so that a FIFO cannot hang the tool, /dev/zero cannot
// exhaust its memory and a directory does not read as "empty".
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace hubspoke::sys {

struct ReadFileOptions {
  std::size_t max_bytes = 0;  // larger files are refused (before and while reading)
  // false: a symbolic link as the last component is refused ("is a symbolic link").
  bool follow_symlinks = true;
  // /dev/null (the character device 1:3) reads as an empty file: AWS_CONFIG_FILE=/dev/null is
  // the usual way to run without one. false: it is refused like any other device.
  bool dev_null_reads_empty = true;
  // Optional further checks of the open regular file (owner, mode), made before reading it: a
  // non-empty reason refuses it with that reason (status kRefused).
  std::function<std::string(const struct stat&)> check;
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

// Opens `path` with O_NONBLOCK (a FIFO cannot hang the open) and O_NOCTTY, and reads it only if
// it is a regular file of at most options.max_bytes bytes. The type is checked with stat(2)
// before opening too, so that no device is ever opened (opening one can have effects), and again
// with fstat(2) on the open file. At most max_bytes + 1 bytes are read: a file can grow, and a
// /proc file reports a size of 0. Thread-safe.
ReadFileResult ReadRegularFile(const std::string& path, const ReadFileOptions& options);

// One line for a failed read, naming what asked for the file (a flag, an environment variable,
// a profile setting) and the path, made printable:
//   "--policy: cannot read 'p': is a FIFO (a regular file is required)"
//   "--policy: '/tmp/big.json' is larger than 1 MiB"
//   "AWS_CONFIG_FILE: cannot read 'c': Permission denied"
std::string ReadFileError(std::string_view what, std::string_view path,
                          const ReadFileResult& result);

}  // namespace hubspoke::sys
