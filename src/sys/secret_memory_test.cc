// ctest-label: threads
// Secret memory (issue 11, defect 7): SecretString's bytes live in pages the kernel leaves out of
// core dumps (VmFlags "dd" in /proc/self/smaps), never in the object itself, and are wiped when
// freed.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hubspoke/secret.h"

namespace hubspoke {
namespace {

// The VmFlags of the mapping holding `p`, from /proc/self/smaps ("" when none holds it).
std::string VmFlagsOf(const void* p) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> start >> dash >> end && dash == '-' && line.find(':') > 8) {
      inside = start <= address && address < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line.substr(8) + " ";
  }
  return "";
}

bool NeverDumped(const void* p) { return VmFlagsOf(p).find(" dd ") != std::string::npos; }

TEST(SecretString, BytesLiveInMemoryLeftOutOfCoreDumps) {
  const SecretString key(std::string(40, 'k'));
  ASSERT_EQ(key.reveal(), std::string(40, 'k'));
  EXPECT_TRUE(NeverDumped(key.reveal().data())) << VmFlagsOf(key.reveal().data());

  // A value ordinary memory would hold in the object (small-string buffer) still goes out.
  const SecretString short_value(std::string("abc"));
  const char* bytes = short_value.reveal().data();
  const auto* object = reinterpret_cast<const char*>(&short_value);
  EXPECT_FALSE(bytes >= object && bytes < object + sizeof(short_value)) << "inline buffer";
  EXPECT_TRUE(NeverDumped(bytes)) << VmFlagsOf(bytes);

  // Copies, assignments and large values (pages of their own) too.
  const SecretString copy = short_value;
  EXPECT_EQ(copy, short_value);
  EXPECT_NE(copy.reveal().data(), short_value.reveal().data());
  EXPECT_TRUE(NeverDumped(copy.reveal().data()));
  SecretString assigned;
  assigned = key;
  EXPECT_TRUE(NeverDumped(assigned.reveal().data()));
  const SecretString token(std::string(100 * 1024, 't'));
  EXPECT_TRUE(NeverDumped(token.reveal().data()));
  EXPECT_TRUE(NeverDumped(token.reveal().data() + token.size() - 1));

  // The control: ordinary heap memory is dumped.
  const std::string plain(40, 'p');
  EXPECT_FALSE(NeverDumped(plain.data())) << VmFlagsOf(plain.data());
}

TEST(SecretString, TakesAndWipesItsArgumentAndMovesLeaveNothingBehind) {
  std::string source(48, 's');
  const char* source_bytes = source.data();
  SecretString secret(std::move(source));
  // The moved-from argument's buffer was not stolen (it is copied into secret memory) and its
  // bytes were zeroed before it was released.
  EXPECT_NE(secret.reveal().data(), source_bytes);
  EXPECT_EQ(secret.reveal(), std::string(48, 's'));

  SecretString moved(std::move(secret));
  EXPECT_EQ(moved.reveal(), std::string(48, 's'));
  EXPECT_TRUE(secret.empty());  // NOLINT(bugprone-use-after-move): the point of the test
  EXPECT_EQ(moved.redacted(), "<redacted>");
  EXPECT_EQ(SecretString().redacted(), "<empty>");
}

TEST(SecretMemory, FreedBlocksAreWipedAndReused) {
  auto* p = static_cast<unsigned char*>(secret_memory::Allocate(100));
  std::memset(p, 0xAB, 100);
  secret_memory::Deallocate(p, 100);
  // The block stays mapped (it is on the arena's free list, whose link takes the first bytes):
  // the rest must be zero.
  for (int i = 16; i < 100; ++i) ASSERT_EQ(p[i], 0) << "byte " << i;
  void* again = secret_memory::Allocate(100);
  EXPECT_EQ(again, p) << "the free list hands the block out again";
  secret_memory::Deallocate(again, 100);
}

TEST(SecretMemory, ManyThreadsAllocateAndFreeConcurrently) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 2000; ++i) {
        const SecretString s(std::string(static_cast<std::size_t>(20 + (i + t) % 200), 'x'));
        const SecretString copy = s;
        ASSERT_EQ(copy.size(), s.size());
      }
    });
  }
  for (auto& th : threads) th.join();
}

}  // namespace
}  // namespace hubspoke
