// LoadIamExport (iam_world.h): reads the export directories through the FileSystem seam,
// bounded, and builds the world with iam::ModelFromExports.
#include <algorithm>

#include "hubspoke/iam_world.h"
#include "iam/iam_export.h"
#include "iam/model.h"

namespace hubspoke {
namespace {

// An organization of thousands of accounts exports a few hundred MiB at most; the bounds keep a
// wrong directory (a home directory, /) from being read whole.
constexpr std::size_t kMaxFiles = 100000;
constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;
constexpr std::size_t kMaxTotalBytes = std::size_t{1} << 30;

class ExportReader {
 public:
  ExportReader(const FileSystem& files, std::string flag, std::string dir)
      : files_(files), flag_(std::move(flag)), dir_(std::move(dir)) {}

  // Every "*.json" in the directory and its immediate subdirectories, sorted by relative name.
  Result<std::vector<iam::ExportFile>> ReadAll() {
    auto stat = files_.Stat(dir_);
    if (!stat.ok()) return Bad(dir_ + ": " + stat.reason);
    if (stat.stat.type != FileType::kDirectory) return Bad(dir_ + ": not a directory");
    std::vector<std::string> names;
    if (auto s = ListInto("", names, 0); !s) return s.error();
    std::sort(names.begin(), names.end());
    std::vector<iam::ExportFile> out;
    out.reserve(names.size());
    std::size_t total = 0;
    for (const std::string& name : names) {
      const std::string path = dir_ + "/" + name;
      // Not following a symbolic link: the export is what `aws … > FILE` wrote, and a FIFO or a
      // device is refused by the FileSystem (by type, before any open that could block).
      auto file = files_.Read(path, {.max_bytes = kMaxFileBytes, .follow_symlinks = false,
                                     .dev_null_reads_empty = false});
      if (!file.ok()) return Bad(ReadFileError(flag_, path, file), false);
      total += file.bytes.size();
      if (total > kMaxTotalBytes) {
        return Bad(dir_ + ": the export is larger than 1 GiB in all");
      }
      out.push_back(iam::ExportFile{name, std::move(file.bytes)});
    }
    return out;
  }

 private:
  Error Bad(const std::string& message, bool prefix = true) const {
    return Error(ErrorCode::kInvalidArgument, prefix ? flag_ + " " + message : message);
  }

  // `relative`: "" for the directory itself, "sub/" for a subdirectory (one level only).
  Status ListInto(const std::string& relative, std::vector<std::string>& names, int depth) {
    const std::string dir = relative.empty() ? dir_ : dir_ + "/" + relative.substr(0, relative.size() - 1);
    auto listed = files_.List(dir);
    if (!listed.ok()) return Bad(dir + ": cannot list: " + listed.reason);
    for (const std::string& entry : listed.names) {
      if (++seen_ > kMaxFiles) {
        return Bad(dir_ + ": more than " + std::to_string(kMaxFiles) +
                   " entries (is it the export directory?)");
      }
      if (entry.ends_with(".json")) {
        names.push_back(relative + entry);
        continue;
      }
      if (depth > 0) continue;
      auto stat = files_.Stat(dir + "/" + entry, /*follow_symlinks=*/false);
      if (stat.ok() && stat.stat.type == FileType::kDirectory) {
        if (auto s = ListInto(relative + entry + "/", names, depth + 1); !s) return s;
      }
    }
    return Ok();
  }

  const FileSystem& files_;
  std::string flag_;
  std::string dir_;
  std::size_t seen_ = 0;
};

}  // namespace

Result<IamWorld> LoadIamExport(const FileSystem& files, const std::string& iam_dir,
                               const std::string& scp_dir) {
  auto iam_files = ExportReader(files, "--iam-export", iam_dir).ReadAll();
  if (!iam_files) return iam_files.error();
  std::vector<iam::ExportFile> scp_files;
  if (!scp_dir.empty()) {
    auto read = ExportReader(files, "--scp-export", scp_dir).ReadAll();
    if (!read) return read.error();
    if (read->empty()) {
      return Error(ErrorCode::kInvalidArgument,
                   "--scp-export " + scp_dir + ": no *.json file in it (docs/policies.md, "
                   "\"Exporting a real organization\")");
    }
    scp_files = std::move(*read);
  }
  auto model = iam::ModelFromExports(*iam_files, scp_files, "--iam-export " + iam_dir,
                                     "--scp-export " + scp_dir);
  if (!model) return model.error();
  return IamWorld(std::make_shared<const iam::Model>(std::move(*model)));
}

}  // namespace hubspoke
