#include "exec/child_output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace hubspoke::exec {

OutputSink::OutputSink(int out_fd, int err_fd, bool progress)
    : fds_{out_fd, err_fd}, progress_(progress) {}

void OutputSink::WriteAllLocked(int fd, std::string_view bytes, bool& broken) {
  while (!bytes.empty() && !broken) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) {
        // A non-blocking descriptor someone gave us: wait until it drains.
        usleep(1000);
        continue;
      }
      broken = true;  // EPIPE, EBADF, ENOSPC: that reader is gone; keep the run going
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void OutputSink::ClearLocked() {
  if (!drawn_) return;
  WriteAllLocked(fds_[kErr], "\r\033[K", broken_[kErr]);
  drawn_ = false;
}

void OutputSink::Write(Stream stream, std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  ClearLocked();
  WriteAllLocked(fds_[stream], bytes, broken_[stream]);
  if (progress_ && !line_.empty()) {
    WriteAllLocked(fds_[kErr], line_, broken_[kErr]);
    drawn_ = true;
  }
}

void OutputSink::Write(Stream stream, Spool& spool) {
  std::lock_guard<std::mutex> lock(mu_);
  ClearLocked();
  spool.Replay([&](std::string_view piece) { WriteAllLocked(fds_[stream], piece, broken_[stream]); });
  if (progress_ && !line_.empty()) {
    WriteAllLocked(fds_[kErr], line_, broken_[kErr]);
    drawn_ = true;
  }
}

void OutputSink::Progress(std::string line) {
  if (!progress_) return;
  std::lock_guard<std::mutex> lock(mu_);
  line_ = std::move(line);
  std::string draw = "\r\033[K" + line_;
  WriteAllLocked(fds_[kErr], draw, broken_[kErr]);
  drawn_ = true;
}

void OutputSink::EndProgress() {
  std::lock_guard<std::mutex> lock(mu_);
  ClearLocked();
  line_.clear();
  progress_ = false;
}

LinePrefixer::LinePrefixer(std::string prefix, Emit emit, std::size_t max_line)
    : prefix_(std::move(prefix)), emit_(std::move(emit)), max_line_(max_line ? max_line : 1) {}

void LinePrefixer::AppendLine(std::string& out, std::string_view line) const {
  out += prefix_;
  out += line;
  out += '\n';
}

void LinePrefixer::Feed(std::string_view data) {
  std::string out;
  while (!data.empty()) {
    const std::size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      partial_.append(data);
      data = {};
    } else {
      if (partial_.empty()) {
        AppendLine(out, data.substr(0, nl));
      } else {
        partial_.append(data.substr(0, nl));
        AppendLine(out, partial_);
        partial_.clear();
      }
      data.remove_prefix(nl + 1);
    }
    // A line that never ends is handed on in bounded pieces.
    while (partial_.size() >= max_line_) {
      AppendLine(out, std::string_view(partial_).substr(0, max_line_));
      partial_.erase(0, max_line_);
    }
  }
  if (!out.empty()) emit_(out);
}

void LinePrefixer::Finish() {
  if (partial_.empty()) return;
  std::string out;
  AppendLine(out, partial_);
  partial_.clear();
  emit_(out);
}

Spool::Spool(std::size_t memory_limit) : memory_limit_(memory_limit) {}

Spool::~Spool() {
  if (fd_ >= 0) ::close(fd_);
}

bool Spool::Append(std::string_view bytes) {
  if (fd_ < 0 && memory_.size() + bytes.size() <= memory_limit_) {
    memory_.append(bytes);
    return true;
  }
  if (fd_ < 0) {
    const char* dir = getenv("TMPDIR");
    if (dir == nullptr || *dir == '\0') dir = "/tmp";
    fd_ = ::open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      lost_ += bytes.size();
      return false;
    }
    std::string kept = std::move(memory_);
    memory_.clear();
    memory_.shrink_to_fit();
    if (!Append(kept)) return false;
  }
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      lost_ += bytes.size();
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Spool::Replay(const std::function<void(std::string_view)>& write) {
  if (fd_ < 0) {
    if (!memory_.empty()) write(memory_);
    return;
  }
  char buffer[1 << 16];
  off_t offset = 0;
  for (;;) {
    ssize_t n = ::pread(fd_, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    write(std::string_view(buffer, static_cast<std::size_t>(n)));
    offset += n;
  }
}

std::string FormatSeconds(double seconds) {
  if (!(seconds >= 0) || !std::isfinite(seconds)) return "?";
  long long s = std::llround(seconds);
  char out[32];
  if (s >= 3600) {
    std::snprintf(out, sizeof out, "%lldh%02lldm", s / 3600, (s / 60) % 60);
  } else if (s >= 60) {
    std::snprintf(out, sizeof out, "%lldm%02llds", s / 60, s % 60);
  } else {
    std::snprintf(out, sizeof out, "%llds", s);
  }
  return out;
}

}  // namespace hubspoke::exec
