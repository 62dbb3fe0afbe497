#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace hubspoke {

// Security: a string that never prints itself. Streaming it, or calling redacted(), gives a
// placeholder; the only way to the bytes is an explicit reveal(), which is greppable. The
// destructor wipes the buffer so a secret does not linger in freed heap memory.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  SecretString(const SecretString&) = default;
  SecretString& operator=(const SecretString&) = default;
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

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }
  std::string redacted() const { return value_.empty() ? "<empty>" : "<redacted>"; }

  friend bool operator==(const SecretString& a, const SecretString& b) {
    return a.value_ == b.value_;
  }
  friend std::ostream& operator<<(std::ostream& os, const SecretString& s) {
    return os << s.redacted();
  }

 private:
  void Wipe() {
    volatile char* p = value_.data();
    for (std::size_t i = 0; i < value_.size(); ++i) p[i] = 0;
    value_.clear();
  }
  std::string value_;
};

}  // namespace hubspoke
