#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace hubspoke {

namespace secret_memory {
// Memory for secrets: pages marked MADV_DONTDUMP (never in a core dump), wiped when freed.
// Thread-safe. Used through SecretString; exposed for callers holding secrets of their own.
void* Allocate(std::size_t bytes);
void Deallocate(void* p, std::size_t bytes) noexcept;

template <class T>
struct Allocator {
  using value_type = T;
  Allocator() noexcept = default;
  template <class U>
  Allocator(const Allocator<U>&) noexcept {}  // NOLINT: rebinding is implicit by design
  T* allocate(std::size_t n) { return static_cast<T*>(Allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { Deallocate(p, n * sizeof(T)); }
  template <class U>
  friend bool operator==(const Allocator&, const Allocator<U>&) noexcept {
    return true;
  }
};
}  // namespace secret_memory

// Security: a string that never prints itself. Streaming it, or calling redacted(), gives a
// placeholder; the only way to the bytes is an explicit reveal(), which is greppable. Its bytes
// live in secret memory (excluded from core dumps, wiped when freed), never in the object itself
// (no small-string buffer on the stack). Copies made from reveal() are ordinary memory: keep them
// short-lived.
class SecretString {
 public:
  SecretString() = default;
  // Takes the value and wipes the argument's buffer.
  explicit SecretString(std::string value) {
    Assign(value);
    Scrub(value);
  }
  SecretString(const SecretString& other) { Assign(other.reveal()); }
  SecretString& operator=(const SecretString& other) {
    if (this != &other) Assign(other.reveal());
    return *this;
  }
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      Wipe();
      value_ = std::move(other.value_);
      other.Wipe();
    }
    return *this;
  }
  ~SecretString() { Wipe(); }

  std::string_view reveal() const { return {value_.data(), value_.size()}; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }
  std::string redacted() const { return value_.empty() ? "<empty>" : "<redacted>"; }

  friend bool operator==(const SecretString& a, const SecretString& b) {
    return a.reveal() == b.reveal();
  }
  friend std::ostream& operator<<(std::ostream& os, const SecretString& s) {
    return os << s.redacted();
  }

 private:
  using Buffer = std::basic_string<char, std::char_traits<char>, secret_memory::Allocator<char>>;
  // Longer than the small-string buffer, so the bytes always go to secret memory.
  static constexpr std::size_t kMinCapacity = 32;

  void Assign(std::string_view v) {
    Wipe();
    if (v.empty()) return;
    value_.reserve(v.size() < kMinCapacity ? kMinCapacity : v.size());
    value_.assign(v.data(), v.size());
  }
  static void Scrub(std::string& s) {
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.size(); ++i) p[i] = 0;
    s.clear();
  }
  void Wipe() {
    volatile char* p = value_.data();
    for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
    value_.clear();
  }
  Buffer value_;
};

}  // namespace hubspoke
