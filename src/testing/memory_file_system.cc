#include "testing/memory_file_system.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <utility>

#include "sys/read_file.h"

namespace hubspoke::testing {
namespace {

constexpr int kMaxSymlinkHops = 40;  // as Linux: then ELOOP

std::deque<std::string> Components(std::string_view path) {
  std::deque<std::string> out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view part = path.substr(i, slash - i);
    if (!part.empty() && part != ".") out.emplace_back(part);
    i = slash + 1;
  }
  return out;
}

std::string Join(const std::string& directory, const std::string& name) {
  return directory == "/" ? "/" + name : directory + "/" + name;
}

// Lexically: "a//b/./c/../d" → "/a/b/d".
std::string Normalize(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& c : Components(path)) {
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(std::move(c));
    }
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

std::string ParentOf(const std::string& normalized) {
  const std::size_t slash = normalized.find_last_of('/');
  return slash == 0 ? "/" : normalized.substr(0, slash);
}

std::string NameOf(const std::string& normalized) {
  return normalized.substr(normalized.find_last_of('/') + 1);
}

FileOpStatus StatusOf(int err) {
  if (err == ENOENT) return FileOpStatus::kNotFound;
  if (err == EEXIST) return FileOpStatus::kExists;
  return FileOpStatus::kError;
}

FileOpResult Fail(int err) { return FileOpResult{.status = StatusOf(err), .reason = std::strerror(err)}; }
FileOpResult Done() { return FileOpResult{.status = FileOpStatus::kOk, .reason = {}}; }

ReadFileResult ReadFailure(ReadFileStatus status, std::string reason) {
  return ReadFileResult{.status = status, .bytes = {}, .reason = std::move(reason)};
}

}  // namespace

MemoryFileSystem::MemoryFileSystem(const Clock* clock) : clock_(clock), user_(::geteuid()) {
  nodes_["/"] = NewNode(FileType::kDirectory, 0755);
}

TimePoint MemoryFileSystem::Now() const { return clock_ ? clock_->Now() : TimePoint{}; }

MemoryFileSystem::Node MemoryFileSystem::NewNode(FileType type, unsigned mode) const {
  Node n;
  n.type = type;
  n.mode = mode & 07777;
  n.owner = user_;
  n.mtime = Now();
  return n;
}

MemoryFileSystem::Lookup MemoryFileSystem::Resolve(const std::string& path,
                                                   bool follow_last) const {
  std::deque<std::string> todo = Components(path);
  std::string current = "/";
  int hops = 0;
  while (!todo.empty()) {
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == "..") {
      current = ParentOf(current);
      continue;
    }
    const bool last = todo.empty();
    const std::string candidate = Join(current, name);
    auto it = nodes_.find(candidate);
    if (it == nodes_.end()) return Lookup{.err = ENOENT, .path = candidate, .node = nullptr};
    const Node& node = it->second;
    if (node.type == FileType::kSymlink && (!last || follow_last)) {
      if (++hops > kMaxSymlinkHops) return Lookup{.err = ELOOP, .path = candidate, .node = nullptr};
      std::deque<std::string> target = Components(node.data);
      target.insert(target.end(), todo.begin(), todo.end());
      todo = std::move(target);
      if (!node.data.empty() && node.data.front() == '/') current.assign(1, '/');
      continue;
    }
    if (!last && node.type != FileType::kDirectory) {
      return Lookup{.err = ENOTDIR, .path = candidate, .node = nullptr};
    }
    if (!last && node.denied) return Lookup{.err = EACCES, .path = candidate, .node = nullptr};
    current = candidate;
  }
  const Node& node = nodes_.at(current);
  if (current == "/" && node.denied) return Lookup{.err = EACCES, .path = current, .node = nullptr};
  return Lookup{.err = 0, .path = current, .node = &node};
}

void MemoryFileSystem::MakeParents(const std::string& normalized) {
  if (normalized == "/") return;
  const std::string parent = ParentOf(normalized);
  if (nodes_.count(parent) != 0) return;
  MakeParents(parent);
  nodes_[parent] = NewNode(FileType::kDirectory, 0755);
}

void MemoryFileSystem::Put(const std::string& normalized, Node node) {
  MakeParents(normalized);
  nodes_[normalized] = std::move(node);
}

void MemoryFileSystem::AddFile(const std::string& path, std::string_view content,
                               unsigned mode) {
  std::lock_guard lock(mu_);
  Node n = NewNode(FileType::kRegular, mode);
  n.data = std::string(content);
  Put(Normalize(path), std::move(n));
}

void MemoryFileSystem::AddDirectory(const std::string& path, unsigned mode) {
  std::lock_guard lock(mu_);
  const std::string p = Normalize(path);
  auto it = nodes_.find(p);
  if (it != nodes_.end() && it->second.type == FileType::kDirectory) {
    it->second.mode = mode & 07777;
    return;
  }
  Put(p, NewNode(FileType::kDirectory, mode));
}

void MemoryFileSystem::AddSymlink(const std::string& path, const std::string& target) {
  std::lock_guard lock(mu_);
  Node n = NewNode(FileType::kSymlink, 0777);
  n.data = target;
  Put(Normalize(path), std::move(n));
}

void MemoryFileSystem::AddFifo(const std::string& path) {
  std::lock_guard lock(mu_);
  Put(Normalize(path), NewNode(FileType::kFifo, 0600));
}

void MemoryFileSystem::AddSocket(const std::string& path) {
  std::lock_guard lock(mu_);
  Put(Normalize(path), NewNode(FileType::kSocket, 0600));
}

void MemoryFileSystem::AddCharDevice(const std::string& path, bool null_device) {
  std::lock_guard lock(mu_);
  Node n = NewNode(FileType::kCharDevice, 0666);
  n.null_device = null_device;
  Put(Normalize(path), std::move(n));
}

void MemoryFileSystem::SetOwner(const std::string& path, uid_t owner) {
  std::lock_guard lock(mu_);
  nodes_.at(Normalize(path)).owner = owner;
}

void MemoryFileSystem::SetMode(const std::string& path, unsigned mode) {
  std::lock_guard lock(mu_);
  nodes_.at(Normalize(path)).mode = mode & 07777;
}

void MemoryFileSystem::DenyAccess(const std::string& path) {
  std::lock_guard lock(mu_);
  nodes_.at(Normalize(path)).denied = true;
}

void MemoryFileSystem::FailWrites(std::string reason) {
  std::lock_guard lock(mu_);
  write_failure_ = std::move(reason);
}

std::optional<std::string> MemoryFileSystem::Content(const std::string& path) const {
  std::lock_guard lock(mu_);
  Lookup lk = Resolve(path, /*follow_last=*/true);
  if (lk.err != 0 || lk.node->type != FileType::kRegular) return std::nullopt;
  return lk.node->data;
}

bool MemoryFileSystem::Exists(const std::string& path) const {
  std::lock_guard lock(mu_);
  return Resolve(path, /*follow_last=*/false).err == 0;
}

std::vector<std::string> MemoryFileSystem::Paths() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [p, n] : nodes_) out.push_back(p);
  return out;
}

ReadFileResult MemoryFileSystem::Read(const std::string& path,
                                      const ReadFileOptions& options) const {
  std::lock_guard lock(mu_);
  Lookup lk = Resolve(path, options.follow_symlinks);
  if (lk.err != 0) {
    return ReadFailure(lk.err == ENOENT || lk.err == ENOTDIR ? ReadFileStatus::kNotFound
                                                            : ReadFileStatus::kError,
                       std::strerror(lk.err));
  }
  const Node& node = *lk.node;
  // The type first (the real one checks it by name before opening), then access.
  if (node.type != FileType::kRegular) {
    if (node.type == FileType::kCharDevice && node.null_device && options.dev_null_reads_empty) {
      return ReadFileResult{.status = ReadFileStatus::kOk, .bytes = {}, .reason = {}};
    }
    return ReadFailure(ReadFileStatus::kNotRegular, sys::NotRegularReason(node.type));
  }
  if (node.denied) return ReadFailure(ReadFileStatus::kError, std::strerror(EACCES));
  if (options.check) {
    FileStat st{.type = node.type, .owner = node.owner, .mode = node.mode,
                .size = node.data.size(), .mtime = node.mtime, .null_device = false};
    if (std::string why = options.check(st); !why.empty()) {
      return ReadFailure(ReadFileStatus::kRefused, std::move(why));
    }
  }
  if (node.data.size() > options.max_bytes) {
    return ReadFailure(ReadFileStatus::kTooLarge, sys::TooLargeReason(options.max_bytes));
  }
  return ReadFileResult{.status = ReadFileStatus::kOk, .bytes = node.data, .reason = {}};
}

FileOpResult MemoryFileSystem::WriteAtomically(const std::string& path, std::string_view bytes,
                                               unsigned mode) {
  std::lock_guard lock(mu_);
  if (!write_failure_.empty()) {
    return FileOpResult{.status = FileOpStatus::kError, .reason = write_failure_};
  }
  const std::string normalized = Normalize(path);
  if (normalized == "/") return Fail(EISDIR);
  Lookup dir = Resolve(ParentOf(normalized), /*follow_last=*/true);
  if (dir.err != 0) return Fail(dir.err);
  if (dir.node->type != FileType::kDirectory) return Fail(ENOTDIR);
  if (dir.node->denied) return Fail(EACCES);
  const std::string target = Join(dir.path, NameOf(normalized));
  auto it = nodes_.find(target);
  if (it != nodes_.end() && it->second.type == FileType::kDirectory) return Fail(EISDIR);
  Node n = NewNode(FileType::kRegular, mode);
  n.data = std::string(bytes);
  nodes_[target] = std::move(n);  // rename(2): a symbolic link there is replaced, not followed
  return Done();
}

StatResult MemoryFileSystem::Stat(const std::string& path, bool follow_symlinks) const {
  std::lock_guard lock(mu_);
  Lookup lk = Resolve(path, follow_symlinks);
  if (lk.err != 0) {
    return StatResult{.status = StatusOf(lk.err),
                      .stat = {},
                      .reason = std::strerror(lk.err)};
  }
  const Node& n = *lk.node;
  const std::uint64_t size = n.type == FileType::kDirectory ? 4096 : n.data.size();
  return StatResult{.status = FileOpStatus::kOk,
                    .stat = FileStat{.type = n.type, .owner = n.owner, .mode = n.mode,
                                     .size = size, .mtime = n.mtime,
                                     .null_device = n.null_device},
                    .reason = {}};
}

FileOpResult MemoryFileSystem::CreateDirectory(const std::string& path, unsigned mode) {
  std::lock_guard lock(mu_);
  const std::string normalized = Normalize(path);
  if (normalized == "/") return Fail(EEXIST);
  Lookup dir = Resolve(ParentOf(normalized), /*follow_last=*/true);
  if (dir.err != 0) return Fail(dir.err);
  if (dir.node->type != FileType::kDirectory) return Fail(ENOTDIR);
  if (dir.node->denied) return Fail(EACCES);
  const std::string target = Join(dir.path, NameOf(normalized));
  if (nodes_.count(target) != 0) return Fail(EEXIST);
  nodes_[target] = NewNode(FileType::kDirectory, mode);
  return Done();
}

MadeDirectory MemoryFileSystem::CreateUniqueDirectory(const std::string& prefix) {
  for (;;) {
    unsigned n = 0;
    {
      std::lock_guard lock(mu_);
      n = ++unique_counter_;
    }
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%06u", n % 1000000u);
    const std::string path = prefix + suffix;
    FileOpResult made = CreateDirectory(path, 0700);
    if (made.status == FileOpStatus::kExists) continue;
    if (!made.ok()) return MadeDirectory{.status = made.status, .path = {}, .reason = made.reason};
    return MadeDirectory{.status = FileOpStatus::kOk, .path = path, .reason = {}};
  }
}

FileOpResult MemoryFileSystem::Remove(const std::string& path) {
  std::lock_guard lock(mu_);
  Lookup lk = Resolve(path, /*follow_last=*/false);
  if (lk.err != 0) return Fail(lk.err);
  if (lk.path == "/") return Fail(EBUSY);
  if (lk.node->type == FileType::kDirectory) {
    auto child = nodes_.lower_bound(lk.path + "/");
    if (child != nodes_.end() && child->first.rfind(lk.path + "/", 0) == 0) {
      return Fail(ENOTEMPTY);
    }
  }
  nodes_.erase(lk.path);
  return Done();
}

ListResult MemoryFileSystem::List(const std::string& directory) const {
  std::lock_guard lock(mu_);
  Lookup lk = Resolve(directory, /*follow_last=*/true);
  int err = lk.err;
  if (err == 0 && lk.node->type != FileType::kDirectory) err = ENOTDIR;
  if (err == 0 && lk.node->denied) err = EACCES;
  if (err != 0) {
    return ListResult{.status = StatusOf(err), .names = {}, .reason = std::strerror(err)};
  }
  ListResult out{.status = FileOpStatus::kOk, .names = {}, .reason = {}};
  const std::string prefix = lk.path == "/" ? "/" : lk.path + "/";
  for (auto it = nodes_.lower_bound(prefix); it != nodes_.end(); ++it) {
    if (it->first.rfind(prefix, 0) != 0) break;
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (!rest.empty() && rest.find('/') == std::string_view::npos) out.names.emplace_back(rest);
  }
  return out;
}

}  // namespace hubspoke::testing
