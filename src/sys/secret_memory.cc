// Memory for secrets (SecretString's buffers, include/hubspoke/secret.h): pages excluded from core
// dumps (MADV_DONTDUMP), wiped when a block is freed. Small blocks come from 64 KiB chunks carved into power-of-two
// size classes with a free list each; blocks over 16 KiB get pages of their own.
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <mutex>
#include <new>

#include "hubspoke/secret.h"

namespace hubspoke::secret_memory {
namespace {

constexpr std::size_t kMinClass = 32;        // the smallest block
constexpr std::size_t kMaxClass = 16 * 1024;  // larger blocks get pages of their own
constexpr std::size_t kChunk = 64 * 1024;
constexpr std::size_t kClasses = 10;  // 32, 64, …, 16384

struct FreeBlock {
  FreeBlock* next;
};

struct Arena {
  std::mutex mu;
  std::array<FreeBlock*, kClasses> free{};
};

Arena& TheArena() {
  static Arena* arena = new Arena();  // never destroyed: secrets may be freed during exit
  return *arena;
}

std::size_t ClassOf(std::size_t n) {
  std::size_t c = 0, size = kMinClass;
  while (size < n) {
    size <<= 1;
    ++c;
  }
  return c;
}

void* MapPages(std::size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  // Security: these pages never go into a core dump (the kernel's VM_DONTDUMP).
  madvise(p, bytes, MADV_DONTDUMP);
  return p;
}

std::size_t PageRounded(std::size_t n) {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return (n + page - 1) / page * page;
}

}  // namespace

void* Allocate(std::size_t n) {
  if (n == 0) n = 1;
  if (n > kMaxClass) return MapPages(PageRounded(n));
  const std::size_t c = ClassOf(n);
  const std::size_t size = kMinClass << c;
  Arena& arena = TheArena();
  std::lock_guard<std::mutex> lock(arena.mu);
  if (arena.free[c] == nullptr) {
    char* chunk = static_cast<char*>(MapPages(kChunk));
    for (std::size_t off = kChunk; off >= size; off -= size) {
      auto* block = reinterpret_cast<FreeBlock*>(chunk + off - size);
      block->next = arena.free[c];
      arena.free[c] = block;
    }
  }
  FreeBlock* block = arena.free[c];
  arena.free[c] = block->next;
  block->next = nullptr;
  return block;
}

void Deallocate(void* p, std::size_t n) noexcept {
  if (p == nullptr) return;
  if (n == 0) n = 1;
  if (n > kMaxClass) {
    const std::size_t bytes = PageRounded(n);
    explicit_bzero(p, bytes);
    munmap(p, bytes);
    return;
  }
  const std::size_t c = ClassOf(n);
  explicit_bzero(p, kMinClass << c);
  Arena& arena = TheArena();
  std::lock_guard<std::mutex> lock(arena.mu);
  auto* block = static_cast<FreeBlock*>(p);
  block->next = arena.free[c];
  arena.free[c] = block;
}

}  // namespace hubspoke::secret_memory
