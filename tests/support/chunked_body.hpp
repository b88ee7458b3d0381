// A request body with no length (sent chunked): `total` bytes offered 64 KiB at a time, `offered`
// counting what the client handed over (a server that refuses early takes far less).
#pragma once

#include <httplib.h>

#include <cstddef>
#include <memory>
#include <string>

namespace kiosk::test {

inline httplib::ContentProviderWithoutLength chunked_body(std::size_t total, std::size_t& offered, char fill = 'x') {
  auto chunk = std::make_shared<const std::string>(64 * 1024, fill);
  return [chunk, total, &offered](std::size_t, httplib::DataSink& sink) {
    if (offered >= total) {
      sink.done();
      return true;
    }
    offered += chunk->size();
    return sink.write(chunk->data(), chunk->size());
  };
}

}  // namespace kiosk::test
