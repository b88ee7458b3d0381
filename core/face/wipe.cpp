#include "core/face/wipe.hpp"

#include <cstring>

namespace kiosk::core::face {

void wipe_memory(void* data, std::size_t size) noexcept {
  if (data != nullptr && size != 0) explicit_bzero(data, size);
}

void wipe(cv::Mat& image) noexcept {
  if (image.data != nullptr && (image.dims > 2 || image.isContinuous())) {
    wipe_memory(image.data, image.total() * image.elemSize());
  } else if (image.data != nullptr) {
    const std::size_t row_bytes = static_cast<std::size_t>(image.cols) * image.elemSize();
    for (int y = 0; y < image.rows; ++y) wipe_memory(image.ptr(y), row_bytes);
  }
  image.release();
}

void wipe(std::vector<float>& values) noexcept {
  wipe_memory(values.data(), values.size() * sizeof(float));
  values.clear();
}

}  // namespace kiosk::core::face
