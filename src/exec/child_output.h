// Many children's output on our one stdout and stderr (`fanout`): lines prefixed with their
// child's name and never torn, or a child's output kept whole until it ends; a status line on a
// terminal.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace hubspoke::exec {

// Our stdout and stderr, shared by every account's output and the progress line. Thread-safe:
// each Write is one locked sequence of write(2) calls, so two writes never interleave. A stream
// whose reader has gone (EPIPE) is dropped quietly; the children go on.
class OutputSink {
 public:
  enum Stream { kOut = 0, kErr = 1 };
  // `progress`: a status line is drawn on stderr (a terminal) and cleared before other output.
  OutputSink(int out_fd, int err_fd, bool progress);

  void Write(Stream stream, std::string_view bytes);
  // Everything `spool` kept, as one uninterrupted write (`--group`).
  void Write(Stream stream, class Spool& spool);
  // Replaces the status line (no-op without progress).
  void Progress(std::string line);
  // Clears the status line for good.
  void EndProgress();
  bool progress() const { return progress_; }

 private:
  void WriteAllLocked(int fd, std::string_view bytes, bool& broken);
  void ClearLocked();

  std::mutex mu_;
  const int fds_[2];
  bool broken_[2] = {false, false};
  bool progress_;
  bool drawn_ = false;
  std::string line_;
};

// Cuts a byte stream into lines and hands them on, each as PREFIX + line + '\n', several complete
// lines per call. A last line without a newline is completed by Finish(); a line longer than
// `max_line` bytes is handed on in pieces of that size, each prefixed (so memory stays bounded).
class LinePrefixer {
 public:
  using Emit = std::function<void(std::string_view prefixed_lines)>;
  LinePrefixer(std::string prefix, Emit emit, std::size_t max_line = 1 << 20);
  void Feed(std::string_view data);
  void Finish();

 private:
  void AppendLine(std::string& out, std::string_view line) const;

  std::string prefix_;
  Emit emit_;
  std::size_t max_line_;
  std::string partial_;
};

// An account's output kept until it ends (`--group`): in memory up to `memory_limit` bytes, then
// in an unnamed temporary file (O_TMPFILE in $TMPDIR or /tmp; nobody else can open it).
class Spool {
 public:
  explicit Spool(std::size_t memory_limit = 4 << 20);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  // False when the temporary file cannot be made or written (the bytes are then dropped and
  // Lost() says how many).
  bool Append(std::string_view bytes);
  // Hands everything kept to `write`, in pieces.
  void Replay(const std::function<void(std::string_view)>& write);
  std::size_t lost() const { return lost_; }

 private:
  std::size_t memory_limit_;
  std::string memory_;
  int fd_ = -1;
  std::size_t lost_ = 0;
};

// "1h02m", "3m04s", "12s": for progress and summaries.
std::string FormatSeconds(double seconds);

}  // namespace hubspoke::exec
