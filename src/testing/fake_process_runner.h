// The one fake ProcessRunner: records every spec it is asked to start and answers with scripted
// outcomes (exit status, death by a signal, stdout/stderr bytes, a delay, a child that never
// exits until killed). Nothing is forked. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "hubspoke/process_runner.h"

namespace hubspoke::testing {

struct FakeOutcome {
  int exit_status = 0;
  int signal = 0;  // dies of this signal instead of exiting
  // Given to a piped stdout / stderr (and dropped when not piped). Readable at once; end-of-file
  // follows, except for a child that never exits, whose pipes stay open until it is killed
  // (then at most 64 KiB each).
  std::string stdout_bytes;
  std::string stderr_bytes;
  std::chrono::milliseconds delay{0};  // exits this long (real time) after its start
  bool never_exits = false;            // runs until a signal kills it
  bool ignores_sigterm = false;        // only SIGKILL kills it
  // Start fails as exec would: ENOENT/ENOTDIR "command not found", others "cannot run".
  int start_errno = 0;
};

class FakeProcessRunner final : public ProcessRunner {
 public:
  FakeProcessRunner();
  ~FakeProcessRunner() override;

  // The outcome of the next Start not yet scripted (in order). Unscripted starts exit 0 at once
  // with no output.
  void Script(FakeOutcome outcome);

  Result<std::unique_ptr<ChildProcess>> Start(const ProcessSpec& spec) override;

  // What was asked, in order (argv and env as given: tests only ever hold fake secrets).
  std::vector<ProcessSpec> specs() const;
  std::size_t started() const;
  // The signals sent to the i-th child (Signal, SignalGroup, KillWithGrace), in order.
  std::vector<int> signals(std::size_t i) const;

  struct State;  // shared with the children's handles

 private:
  std::shared_ptr<State> state_;
};

}  // namespace hubspoke::testing
