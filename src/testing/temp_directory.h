// The one real temporary directory of the tests, for those where the operating system's
// behaviour is the point (the real FileSystem, permissions, FIFOs, a child process reading a
// file); every other test stands its files up in a MemoryFileSystem. Tests only.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace hubspoke::testing {

class TempDirectory {
 public:
  // A new directory (0700) under the test runner's temporary directory, named `name`.XXXXXX.
  explicit TempDirectory(std::string_view name = "hubspoke") {
    std::string pattern = ::testing::TempDir();
    if (pattern.empty() || pattern.back() != '/') pattern += '/';
    pattern += std::string(name) + ".XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp " << pattern << ": " << std::strerror(errno);
      return;
    }
    path_ = pattern;
  }
  // Removes everything in it, after giving back the permissions a test took away.
  ~TempDirectory() {
    if (path_.empty()) return;
    namespace fs = std::filesystem;
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    for (auto it = fs::recursive_directory_iterator(
             path_, fs::directory_options::skip_permission_denied, ignored);
         it != fs::recursive_directory_iterator(); it.increment(ignored)) {
      if (it->is_directory(ignored) && !it->is_symlink(ignored)) {
        fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
      }
    }
    fs::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;

  const std::string& path() const { return path_; }
  // path()/relative.
  std::string Path(std::string_view relative) const { return path_ + "/" + std::string(relative); }
  // Writes path()/relative (parent directories made) with `mode`, and returns its path.
  std::string Write(std::string_view relative, std::string_view content, unsigned mode = 0600) const {
    const std::string p = Path(relative);
    std::error_code ignored;
    std::filesystem::create_directories(std::filesystem::path(p).parent_path(), ignored);
    {
      std::ofstream out(p, std::ios::binary | std::ios::trunc);
      out << content;
      if (!out) ADD_FAILURE() << "cannot write " << p;
    }
    if (::chmod(p.c_str(), static_cast<mode_t>(mode)) != 0) {
      ADD_FAILURE() << "chmod " << p << ": " << std::strerror(errno);
    }
    return p;
  }

 private:
  std::string path_;
};

}  // namespace hubspoke::testing
