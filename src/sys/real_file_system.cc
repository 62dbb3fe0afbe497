// The operating system's FileSystem (hubspoke/file_system.h).
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "crypto/random.h"
#include "hubspoke/file_system.h"
#include "sys/read_file.h"

namespace hubspoke {
namespace {

FileOpResult Done() { return FileOpResult{.status = FileOpStatus::kOk, .reason = {}}; }

FileOpStatus StatusOf(int err) {
  if (err == ENOENT) return FileOpStatus::kNotFound;
  if (err == EEXIST) return FileOpStatus::kExists;
  return FileOpStatus::kError;
}

FileOpResult FromErrno(int err) {
  return FileOpResult{.status = StatusOf(err), .reason = std::strerror(err)};
}

// The directory a path is in: "." for a bare name.
std::string DirectoryOf(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Six characters from [A-Za-z0-9], as mkstemp(3) uses.
std::string RandomSuffix() {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::array<unsigned char, 6> bytes{};
  if (!crypto::RandomBytes(bytes)) {
    // No kernel randomness: the pid and a counter still make a name O_EXCL can try.
    static std::atomic<unsigned> counter{0};
    unsigned v = static_cast<unsigned>(::getpid()) * 7919u + ++counter;
    for (auto& b : bytes) b = static_cast<unsigned char>(v), v = v * 1103515245u + 12345u;
  }
  std::string out;
  for (unsigned char b : bytes) out += kAlphabet[b % (sizeof kAlphabet - 1)];
  return out;
}

class RealFileSystem final : public FileSystem {
 public:
  ReadFileResult Read(const std::string& path, const ReadFileOptions& options) const override {
    return sys::ReadRegularFile(path, options);
  }

  FileOpResult WriteAtomically(const std::string& path, std::string_view bytes,
                               unsigned mode) override {
    const std::string directory = DirectoryOf(path);
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
      tmp = directory + "/.tmp-" + RandomSuffix();
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  static_cast<mode_t>(mode & 07777));
      if (fd < 0 && errno != EEXIST) return FromErrno(errno);
    }
    if (fd < 0) return FromErrno(EEXIST);
    // The mode exactly, whatever the umask.
    int err = ::fchmod(fd, static_cast<mode_t>(mode & 07777)) == 0 ? 0 : errno;
    std::size_t put = 0;
    while (err == 0 && put < bytes.size()) {
      const ssize_t n = ::write(fd, bytes.data() + put, bytes.size() - put);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      else if (n == 0) err = EIO;
      else put += static_cast<std::size_t>(n);
    }
    if (err == 0 && ::fsync(fd) != 0) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
    if (err != 0) {
      ::unlink(tmp.c_str());
      return FileOpResult{.status = FileOpStatus::kError, .reason = std::strerror(err)};
    }
    return Done();
  }

  StatResult Stat(const std::string& path, bool follow_symlinks) const override {
    struct stat st {};
    if ((follow_symlinks ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) != 0) {
      const int err = errno;
      return StatResult{.status = StatusOf(err),
                        .stat = {},
                        .reason = std::strerror(err)};
    }
    return StatResult{.status = FileOpStatus::kOk, .stat = sys::ToFileStat(st), .reason = {}};
  }

  FileOpResult CreateDirectory(const std::string& path, unsigned mode) override {
    if (::mkdir(path.c_str(), static_cast<mode_t>(mode & 07777)) != 0) return FromErrno(errno);
    return Done();
  }

  MadeDirectory CreateUniqueDirectory(const std::string& prefix) override {
    std::string pattern = prefix + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      const int err = errno;
      return MadeDirectory{.status = StatusOf(err), .path = {}, .reason = std::strerror(err)};
    }
    return MadeDirectory{.status = FileOpStatus::kOk, .path = std::move(pattern), .reason = {}};
  }

  FileOpResult Remove(const std::string& path) override {
    if (::unlink(path.c_str()) == 0) return Done();
    if (errno == EISDIR || errno == EPERM) {
      // Linux reports EISDIR for a directory (POSIX allows EPERM): then it may be an empty one.
      const int unlink_err = errno;
      struct stat st {};
      if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        if (::rmdir(path.c_str()) == 0) return Done();
        return FromErrno(errno);
      }
      return FromErrno(unlink_err);
    }
    return FromErrno(errno);
  }

  ListResult List(const std::string& directory) const override {
    DIR* dir = ::opendir(directory.c_str());
    if (dir == nullptr) {
      const int err = errno;
      return ListResult{.status = StatusOf(err), .names = {}, .reason = std::strerror(err)};
    }
    ListResult out{.status = FileOpStatus::kOk, .names = {}, .reason = {}};
    while (struct dirent* e = ::readdir(dir)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      out.names.emplace_back(name);
    }
    ::closedir(dir);
    return out;
  }
};

}  // namespace

std::unique_ptr<FileSystem> MakeRealFileSystem() { return std::make_unique<RealFileSystem>(); }

}  // namespace hubspoke
