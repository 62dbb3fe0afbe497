// Running the child with our signals forwarded to it: a thin function on the ProcessRunner.
#include "hubspoke/exec.h"
#include "hubspoke/process_runner.h"

namespace hubspoke {

Result<ChildExit> RunChild(ProcessRunner& runner, const std::vector<std::string>& argv,
                           const EnvVars& env) {
  if (argv.empty()) return Error(ErrorCode::kInvalidArgument, "no command given after --");
  ProcessSpec spec{.argv = argv, .env = env, .forward_signals = true};
  auto child = runner.Start(spec);
  // Security: the environment strings hold the spoke secret; wipe our copies once the child has
  // its own.
  spec.WipeEnvironment();
  if (!child) {
    switch (child.error().reason()) {
      case ErrorReason::kCommandNotFound:
        return ChildExit{.status = 127, .start_error = child.error().message()};
      case ErrorReason::kCommandNotRunnable:
        return ChildExit{.status = 126, .start_error = child.error().message()};
      default:
        return std::move(child).error();
    }
  }
  auto exit = (*child)->Wait();
  if (!exit) return std::move(exit).error().Wrap("waiting for the child failed");
  return ChildExit{.status = exit->ShellStatus(), .signal = exit->signal};
}

Result<ChildExit> RunChild(const std::vector<std::string>& argv, const EnvVars& env) {
  auto runner = MakeRealProcessRunner();
  return RunChild(*runner, argv, env);
}

}  // namespace hubspoke
