// Overwriting what the card-surface reader held: rectified card images (name, address, photo),
// OCR text (birth date, security code). drivers cannot use core's wipe; these are the same idea.
#pragma once

#include <string.h>  // explicit_bzero

#include <string>

#include <opencv2/core/mat.hpp>

namespace kiosk::drivers::card_surface {

inline void wipe(std::string& s) noexcept {
  if (!s.empty()) explicit_bzero(s.data(), s.size());
  s.clear();
}

// Overwrites the pixels when this Mat is their only owner (a shared buffer is left to its
// other owners, which wipe it themselves), then releases it.
inline void wipe(cv::Mat& m) noexcept {
  if (m.data != nullptr && m.u != nullptr && m.u->refcount == 1) {
    if (m.isContinuous()) {
      explicit_bzero(m.data, m.total() * m.elemSize());
    } else {
      for (int y = 0; y < m.rows; ++y) explicit_bzero(m.ptr(y), static_cast<std::size_t>(m.cols) * m.elemSize());
    }
  }
  m.release();
}

// A cv::Mat wiped when it goes out of scope.
class WipedMat {
 public:
  WipedMat() = default;
  explicit WipedMat(cv::Mat m) : m_(std::move(m)) {}
  ~WipedMat() { wipe(m_); }
  WipedMat(const WipedMat&) = delete;
  WipedMat& operator=(const WipedMat&) = delete;
  WipedMat(WipedMat&& other) noexcept : m_(std::move(other.m_)) {}
  WipedMat& operator=(WipedMat&& other) noexcept {
    if (this != &other) {
      wipe(m_);
      m_ = std::move(other.m_);
    }
    return *this;
  }
  cv::Mat& operator*() noexcept { return m_; }
  const cv::Mat& operator*() const noexcept { return m_; }
  cv::Mat* operator->() noexcept { return &m_; }
  const cv::Mat* operator->() const noexcept { return &m_; }

 private:
  cv::Mat m_;
};

}  // namespace kiosk::drivers::card_surface
