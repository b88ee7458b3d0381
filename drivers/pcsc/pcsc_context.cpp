#include "drivers/pcsc/pcsc_context.hpp"

#include "drivers/pcsc/pcsc_error.hpp"

namespace kiosk::drivers::pcsc {

PcscContext::PcscContext() {
  check(SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &handle_), "SCardEstablishContext");
}

PcscContext::~PcscContext() {
  if (handle_ != 0) (void)SCardReleaseContext(handle_);
}

bool PcscContext::valid() const noexcept { return SCardIsValidContext(handle_) == SCARD_S_SUCCESS; }

std::vector<std::string> PcscContext::list_readers() const {
  // The list can grow between the two calls; try again then.
  for (int attempt = 0; attempt < 3; ++attempt) {
    DWORD size = 0;
    LONG rv = SCardListReaders(handle_, nullptr, nullptr, &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    check(rv, "SCardListReaders");
    std::string buffer(size, '\0');
    rv = SCardListReaders(handle_, nullptr, buffer.data(), &size);
    if (rv == SCARD_E_NO_READERS_AVAILABLE) return {};
    if (rv == SCARD_E_INSUFFICIENT_BUFFER) continue;
    check(rv, "SCardListReaders");
    buffer.resize(size);
    // A multi-string: names separated by '\0', ended by an empty name.
    std::vector<std::string> names;
    std::size_t start = 0;
    while (start < buffer.size()) {
      const std::size_t end = buffer.find('\0', start);
      const std::size_t stop = end == std::string::npos ? buffer.size() : end;
      if (stop == start) break;
      names.emplace_back(buffer, start, stop - start);
      start = stop + 1;
    }
    return names;
  }
  throw make_error("SCardListReaders", SCARD_E_INSUFFICIENT_BUFFER, "reader list kept changing");
}

long PcscContext::cancel() const noexcept { return SCardCancel(handle_); }

}  // namespace kiosk::drivers::pcsc
