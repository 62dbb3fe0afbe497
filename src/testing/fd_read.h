// Reading a child's pipe in tests: everything until end-of-file, or one line.
#pragma once

#include <errno.h>
#include <unistd.h>

#include <string>

namespace hubspoke::testing {

// Everything until end-of-file.
inline std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

// One line, without its newline (blocks until it is there, or end-of-file).
inline std::string ReadLine(int fd) {
  std::string line;
  char c;
  for (;;) {
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return line;
    line.push_back(c);
  }
}

}  // namespace hubspoke::testing
