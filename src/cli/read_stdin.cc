#include "cli/read_stdin.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hubspoke::cli {

Result<std::string> ReadStdinBounded(std::size_t max_bytes, const std::string& what,
                                     const std::string& too_large) {
  std::string text;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      return Error(ErrorCode::kInvalidArgument,
                   what + ": cannot read stdin: " + std::strerror(errno));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      const std::string limit = max_bytes >= (1u << 20)
                                    ? std::to_string(max_bytes >> 20) + " MiB"
                                    : std::to_string(max_bytes >> 10) + " KiB";
      return Error(ErrorCode::kInvalidArgument, what + ": stdin holds more than " + limit +
                                                    "; that is not " + too_large);
    }
  }
  return text;
}

}  // namespace hubspoke::cli
