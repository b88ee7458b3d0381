// Wiping face data: frames, crops and embeddings stay in memory only and are overwritten when
// a session ends (nothing is logged or written).
#pragma once

#include <cstddef>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace kiosk::core::face {

// Overwrites memory in a way the optimiser cannot remove.
void wipe_memory(void* data, std::size_t size) noexcept;

// Overwrites the pixels `image` refers to (for a view into a larger image: only the view's
// pixels; a buffer shared with other cv::Mat headers is overwritten for them too), then
// releases the header.
void wipe(cv::Mat& image) noexcept;

void wipe(std::vector<float>& values) noexcept;

}  // namespace kiosk::core::face
