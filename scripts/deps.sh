# The project's dependencies, in one place. Sourced by scripts/setup.
# Debian/Ubuntu packages (build, libraries, test and benchmark tools):
APT_PACKAGES=(
  build-essential cmake pkg-config git
  libssl-dev libpugixml-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev
  python3
  # The fuzz targets (scripts/fuzz): clang and its libFuzzer runtime (libclang_rt.fuzzer).
  clang libclang-rt-14-dev
  # The package's checks (tests/package/): lintian on the .deb, the man pages rendered, the zsh
  # and fish completions parsed by their shells.
  lintian man-db groff-base zsh fish
)
# Tools checked by command name (installed from these packages only when the command is missing,
# so a Node.js that came from elsewhere is left alone): command=package. GNU parallel is a peer
# in the fan-out benchmark (bench/fanout_bench.py).
APT_COMMANDS=(node=nodejs npm=npm hyperfine=hyperfine parallel=parallel)
# Python packages for the end-to-end tests and the benchmark (moto is our STS/IAM peer; the AWS
# CLI is a real client run as the child command). Preinstalled on the project's machines.
# PyYAML reads the CloudFormation output in tests/e2e/test_policy.py (the AWS CLI depends on it).
PY_PACKAGES=("moto[server]" boto3 awscli PyYAML)
PY_IMPORTS=(moto boto3 awscli yaml)
