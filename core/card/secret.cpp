#include "core/card/secret.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <stdexcept>

namespace kiosk::core::card {

void secure_wipe(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) OPENSSL_cleanse(data, size);
}

void secure_wipe(Bytes& bytes) noexcept {
  bytes.resize(bytes.capacity());  // no reallocation: the capacity is already there
  secure_wipe(bytes.data(), bytes.size());
  bytes.clear();
}

void append_wiping(Bytes& into, ByteView more) {
  const std::size_t needed = into.size() + more.size();
  if (needed > into.capacity()) {
    Bytes bigger;
    bigger.reserve(std::max(needed, 2 * into.capacity()));
    bigger.insert(bigger.end(), into.begin(), into.end());
    secure_wipe(into);
    into.swap(bigger);
  }
  into.insert(into.end(), more.begin(), more.end());
}

Secret::Secret(std::string_view text) {
  if (text.size() > kCapacity) throw std::length_error("secret longer than 32 characters");
  for (char c : text) push_back(c);
}

Secret::~Secret() { clear(); }

Secret::Secret(Secret&& other) noexcept : buffer_(other.buffer_), size_(other.size_) { other.clear(); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    clear();
    buffer_ = other.buffer_;
    size_ = other.size_;
    other.clear();
  }
  return *this;
}

void Secret::push_back(char c) {
  if (size_ == kCapacity) throw std::length_error("secret longer than 32 characters");
  buffer_[size_++] = static_cast<Byte>(c);
}

void Secret::pop_back() noexcept {
  if (size_ == 0) return;
  --size_;
  secure_wipe(&buffer_[size_], 1);
}

void Secret::clear() noexcept {
  secure_wipe(buffer_.data(), buffer_.size());
  size_ = 0;
}

bool Secret::all_digits() const noexcept {
  for (std::size_t i = 0; i < size_; ++i) {
    if (buffer_[i] < '0' || buffer_[i] > '9') return false;
  }
  return true;
}

}  // namespace kiosk::core::card
