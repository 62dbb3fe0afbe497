// FindCommand (hubspoke/process_runner.h): execvpe's search, without the exec.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "hubspoke/process_runner.h"

namespace hubspoke {
namespace {

// 0 when `path` is something exec could run: not a directory, executable by us. Otherwise the
// errno exec would give (ENOENT, ENOTDIR, EACCES, …).
int Runnable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) return EACCES;
  if (access(path.c_str(), X_OK) != 0) return errno;
  return 0;
}

Error NotFound(const std::string& command) {
  return Error(ErrorCode::kInternal, "command not found: " + command)
      .WithReason(ErrorReason::kCommandNotFound);
}

Error NotRunnable(const std::string& command, int error) {
  return Error(ErrorCode::kInternal,
               "cannot run command: " + command + " (" + std::strerror(error) + ")")
      .WithReason(ErrorReason::kCommandNotRunnable);
}

}  // namespace

Result<std::string> FindCommand(const std::string& command,
                                const std::optional<std::string>& path_env) {
  if (command.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the command is empty");
  }
  if (command.find('/') != std::string::npos) {
    const int e = Runnable(command);
    if (e == 0) return command;
    if (e == ENOENT || e == ENOTDIR) return NotFound(command);
    return NotRunnable(command, e);
  }
  // glibc's execvpe: PATH unset means confstr(_CS_PATH), "/bin:/usr/bin"; an empty entry means
  // the current directory; EACCES on one entry goes on to the next and is reported only if no
  // later entry runs.
  const std::string path = path_env.value_or("/bin:/usr/bin");
  int denied = 0;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = path.find(':', start);
    // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on dir + "/" + command.
    std::string_view dir = std::string_view(path).substr(
        start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate;
    candidate.reserve(dir.size() + 1 + command.size());
    candidate.append(dir);
    candidate.push_back('/');
    candidate.append(command);
    const int e = Runnable(candidate);
    if (e == 0) return candidate;
    if (e != ENOENT && e != ENOTDIR && e != ENAMETOOLONG && e != ELOOP) denied = e;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return denied != 0 ? NotRunnable(command, denied) : NotFound(command);
}

}  // namespace hubspoke
