// A PIN, password or 照合番号B typed by the patient (or read from the card surface).
// Held in a fixed buffer (never reallocated, so no stray copies) that is wiped when the
// Secret is cleared, moved from or destroyed. It has no printing or conversion to string.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "hal/bytes.hpp"

namespace kiosk::core::card {

// Overwrites memory in a way the optimiser cannot remove.
void secure_wipe(void* data, std::size_t size) noexcept;

// Overwrites the whole allocation of `bytes` (up to its capacity) and empties it.
void secure_wipe(Bytes& bytes) noexcept;

// Appends `more` to `into` without leaving a copy behind: when `into` must grow, the new buffer
// is filled and the old one wiped before it is freed (a plain insert() frees it as it is).
void append_wiping(Bytes& into, ByteView more);

// Wipes a buffer when the scope ends, however it ends (personal data read from a card).
class ScopedWipe {
 public:
  explicit ScopedWipe(Bytes& bytes) noexcept : bytes_(bytes) {}
  ~ScopedWipe() { secure_wipe(bytes_); }
  ScopedWipe(const ScopedWipe&) = delete;
  ScopedWipe& operator=(const ScopedWipe&) = delete;

 private:
  Bytes& bytes_;
};

class Secret {
 public:
  static constexpr std::size_t kCapacity = 32;

  Secret() = default;
  // Throws std::length_error when longer than kCapacity.
  explicit Secret(std::string_view text);
  ~Secret();
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // For a PIN pad: one character at a time. Throws std::length_error when full.
  void push_back(char c);
  void pop_back() noexcept;
  void clear() noexcept;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  ByteView bytes() const noexcept { return {buffer_.data(), size_}; }
  bool all_digits() const noexcept;

 private:
  std::array<Byte, kCapacity> buffer_{};
  std::size_t size_ = 0;
};

}  // namespace kiosk::core::card
