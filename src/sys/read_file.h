// The real FileSystem's bounded reader (FileSystem::Read in hubspoke/file_system.h): a regular
// file only, of bounded size, with a short reason when not. Code outside src/sys/ reads through
// SystemContext::files instead.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <string>

#include "hubspoke/file_system.h"

namespace hubspoke::sys {

// Opens `path` with O_NONBLOCK (a FIFO cannot hang the open) and O_NOCTTY, and reads it only if
// it is a regular file of at most options.max_bytes bytes. The type is checked with stat(2)
// before opening too, so that no device is ever opened (opening one can have effects), and again
// with fstat(2) on the open file. At most max_bytes + 1 bytes are read: a file can grow, and a
// /proc file reports a size of 0. Thread-safe.
ReadFileResult ReadRegularFile(const std::string& path, const ReadFileOptions& options);

// The reasons of ReadFileResult, for every FileSystem: "is a FIFO", "is a directory", …; "is
// larger than 1 MiB".
std::string NotRegularReason(FileType type);
std::string TooLargeReason(std::size_t max_bytes);

// The parts of a stat(2) answer a FileStat holds.
FileStat ToFileStat(const struct stat& st);

}  // namespace hubspoke::sys
