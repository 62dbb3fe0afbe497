#include "sys/read_file.h"

#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <optional>
#include <utility>

#include "core/strings.h"

namespace hubspoke::sys {
namespace {

// Security: the bytes may be a secret (a token, a credentials file).
void Wipe(std::string& s) {
  if (!s.empty()) explicit_bzero(s.data(), s.size());
}

ReadFileResult Failure(ReadFileStatus status, std::string reason) {
  return ReadFileResult{.status = status, .bytes = {}, .reason = std::move(reason)};
}

ReadFileResult FromErrno(int err, const ReadFileOptions& options) {
  if (err == ENOENT || err == ENOTDIR) {
    return Failure(ReadFileStatus::kNotFound, std::strerror(err));
  }
  // O_NOFOLLOW fails with ELOOP when the last component is a symbolic link.
  if (err == ELOOP && !options.follow_symlinks) {
    return Failure(ReadFileStatus::kNotRegular, "is a symbolic link");
  }
  return Failure(ReadFileStatus::kError, std::strerror(err));
}

bool IsDevNull(const struct stat& st) {
  return S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3;
}

std::string SizeText(std::size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

ReadFileResult TooLarge(const ReadFileOptions& options) {
  return Failure(ReadFileStatus::kTooLarge, TooLargeReason(options.max_bytes));
}

FileType TypeOf(mode_t m) {
  return S_ISREG(m)    ? FileType::kRegular
         : S_ISDIR(m)  ? FileType::kDirectory
         : S_ISLNK(m)  ? FileType::kSymlink
         : S_ISFIFO(m) ? FileType::kFifo
         : S_ISCHR(m)  ? FileType::kCharDevice
         : S_ISBLK(m)  ? FileType::kBlockDevice
         : S_ISSOCK(m) ? FileType::kSocket
                       : FileType::kOther;
}

// The verdict on a file's type: nullopt to go on reading a regular file, else the result
// (/dev/null: an empty file).
std::optional<ReadFileResult> ByType(const struct stat& st, const ReadFileOptions& options) {
  if (S_ISREG(st.st_mode)) return std::nullopt;
  if (options.dev_null_reads_empty && IsDevNull(st)) {
    return ReadFileResult{.status = ReadFileStatus::kOk, .bytes = {}, .reason = {}};
  }
  return Failure(ReadFileStatus::kNotRegular, NotRegularReason(TypeOf(st.st_mode)));
}

struct FdCloser {
  int fd;
  ~FdCloser() { ::close(fd); }
};

}  // namespace

std::string NotRegularReason(FileType type) {
  switch (type) {
    case FileType::kDirectory: return "is a directory";
    case FileType::kFifo: return "is a FIFO";
    case FileType::kCharDevice: return "is a character device";
    case FileType::kBlockDevice: return "is a block device";
    case FileType::kSocket: return "is a socket";
    case FileType::kSymlink: return "is a symbolic link";
    default: return "is not a regular file";
  }
}

std::string TooLargeReason(std::size_t max_bytes) {
  return "is larger than " + SizeText(max_bytes);
}

FileStat ToFileStat(const struct stat& st) {
  FileStat out;
  const mode_t m = st.st_mode;
  out.type = TypeOf(m);
  out.owner = st.st_uid;
  out.mode = static_cast<unsigned>(m & 07777);
  out.size = st.st_size > 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  out.mtime = TimePoint(std::chrono::duration_cast<TimePoint::duration>(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
  out.null_device = IsDevNull(st);
  return out;
}

ReadFileResult ReadRegularFile(const std::string& path, const ReadFileOptions& options) {
  struct stat st {};
  // First by name, so that a device (a tape that rewinds, a watchdog that arms) is never opened.
  if ((options.follow_symlinks ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
    return FromErrno(errno, options);
  }
  if (auto verdict = ByType(st, options)) return std::move(*verdict);

  // Then the file actually opened: the name may point elsewhere by now. O_NONBLOCK: if it is a
  // FIFO now, the open returns at once instead of waiting for a writer.
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (!options.follow_symlinks) flags |= O_NOFOLLOW;
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return FromErrno(errno, options);
  FdCloser closer{fd};
  if (::fstat(fd, &st) != 0) return Failure(ReadFileStatus::kError, std::strerror(errno));
  if (auto verdict = ByType(st, options)) return std::move(*verdict);
  if (options.check) {
    if (std::string why = options.check(ToFileStat(st)); !why.empty()) {
      return Failure(ReadFileStatus::kRefused, std::move(why));
    }
  }
  const std::size_t limit = options.max_bytes;
  if (st.st_size < 0 || static_cast<std::size_t>(st.st_size) > limit) return TooLarge(options);

  // One buffer of the reported size and one byte more, to see growth. It grows only if the file
  // did (or reported no size, as /proc files do); a grown buffer's old copy is wiped at once.
  std::string data(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t got = 0;
  for (;;) {
    if (got == data.size()) {
      if (got > limit) break;  // limit + 1 bytes: too large
      std::string bigger(std::min(limit + 1, std::max<std::size_t>(2 * data.size(), 4096)), '\0');
      std::memcpy(bigger.data(), data.data(), got);
      Wipe(data);
      data.swap(bigger);
    }
    const ssize_t n = ::read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      Wipe(data);
      return Failure(ReadFileStatus::kError, std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > limit) {
    Wipe(data);
    return TooLarge(options);
  }
  data.resize(got);  // shrinking: no reallocation, no copy
  return ReadFileResult{.status = ReadFileStatus::kOk, .bytes = std::move(data), .reason = {}};
}

}  // namespace hubspoke::sys

namespace hubspoke {

std::string ReadFileError(std::string_view what, std::string_view path,
                          const ReadFileResult& result) {
  const std::string quoted = "'" + Printable(path, 300) + "'";
  std::string line(what);
  switch (result.status) {
    case ReadFileStatus::kTooLarge:
      return line + ": " + quoted + " " + result.reason;
    case ReadFileStatus::kNotRegular:
      return line + ": cannot read " + quoted + ": " + result.reason +
             " (a regular file is required)";
    default:
      return line + ": cannot read " + quoted + ": " + result.reason;
  }
}

}  // namespace hubspoke
