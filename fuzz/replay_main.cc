// fuzz_replay TARGET DIR…: feeds every file of each DIR (missing ones are skipped) to the fuzz
// target, as libFuzzer would replay a corpus. Built with the ordinary compiler (and the ASan
// build's sanitizers) so that every CI stage re-runs the seeds and every input that once
// crashed. A crash or a failed FUZZ_CHECK aborts the test; the file being run is printed first.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "replay.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET [DIR…]\n");
    return 2;
  }
  const hubspoke::fuzz::ReplayTarget* target = nullptr;
  for (const auto* t = hubspoke::fuzz::kReplayTargets; t->name != nullptr; ++t) {
    if (std::strcmp(t->name, argv[1]) == 0) target = t;
  }
  if (target == nullptr) {
    std::fprintf(stderr, "fuzz_replay: no target %s\n", argv[1]);
    return 2;
  }
  std::vector<std::filesystem::path> files;
  for (int i = 2; i < argc; ++i) {
    std::error_code ec;
    if (!std::filesystem::is_directory(argv[i], ec)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[i])) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay %s: no inputs (the seed corpus is missing)\n", target->name);
    return 1;
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::fprintf(stderr, "%s\n", path.c_str());
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // A copy the exact size of the input, so ASan sees a read past its end.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    target->run(data.empty() ? nullptr : data.data(), data.size());
  }
  std::printf("fuzz_replay %s: %zu inputs\n", target->name, files.size());
  return 0;
}
