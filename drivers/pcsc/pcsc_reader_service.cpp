#include "drivers/pcsc/pcsc_reader_service.hpp"

#include <algorithm>

#include "drivers/pcsc/pcsc_card_channel.hpp"
#include "drivers/pcsc/pcsc_error.hpp"

namespace kiosk::drivers::pcsc {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr DWORD kChanged = SCARD_STATE_CHANGED;

// The context is no good any more: pcscd stopped or restarted.
bool context_lost(const hal::CardError& e) {
  return e.kind() == hal::CardErrorKind::NoService || e.native_code() == SCARD_E_INVALID_HANDLE;
}

milliseconds left_until(Clock::time_point deadline) {
  return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
}

ReaderSnapshot to_snapshot(const std::string& name, const SCARD_READERSTATE& state) {
  ReaderSnapshot s;
  s.name = name;
  s.card_present = (state.dwEventState & SCARD_STATE_PRESENT) != 0;
  s.card_in_use = (state.dwEventState & (SCARD_STATE_INUSE | SCARD_STATE_EXCLUSIVE)) != 0;
  s.card_mute = (state.dwEventState & SCARD_STATE_MUTE) != 0;
  if (s.card_present) {
    const auto len = std::min<std::size_t>(state.cbAtr, sizeof state.rgbAtr);
    s.atr.assign(state.rgbAtr, state.rgbAtr + len);
  }
  s.event_count = static_cast<std::uint32_t>((state.dwEventState >> 16) & 0xFFFFU);
  s.raw_state = state.dwEventState & ~kChanged;
  return s;
}

}  // namespace

PcscReaderService::PcscReaderService() : PcscReaderService(Options{}) {}

PcscReaderService::PcscReaderService(Options options) : options_(options) {}

PcscReaderService::~PcscReaderService() = default;

std::shared_ptr<PcscContext> PcscReaderService::try_context() {
  std::lock_guard lock(mutex_);
  if (!context_) {
    try {
      context_ = std::make_shared<PcscContext>();
      pnp_state_ = 0;
    } catch (const hal::CardError& e) {
      if (e.kind() == hal::CardErrorKind::NoService) return nullptr;
      throw;
    }
  }
  return context_;
}

std::shared_ptr<PcscContext> PcscReaderService::context() {
  std::lock_guard lock(mutex_);
  if (!context_) {
    context_ = std::make_shared<PcscContext>();  // throws NoService
    pnp_state_ = 0;
  }
  return context_;
}

void PcscReaderService::drop_context(const std::shared_ptr<PcscContext>& lost) {
  std::lock_guard lock(mutex_);
  if (context_ == lost) context_.reset();
}

template <typename F>
auto PcscReaderService::with_context(F&& f) {
  auto ctx = context();
  try {
    return f(*ctx);
  } catch (const hal::CardError& e) {
    if (!context_lost(e)) throw;
    drop_context(ctx);  // pcscd restarted since: one more try on a fresh context
  }
  ctx = context();
  return f(*ctx);
}

std::vector<ReaderSnapshot> PcscReaderService::snapshot(const PcscContext& ctx) {
  LONG rv = SCARD_S_SUCCESS;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::vector<std::string> names = ctx.list_readers();
    if (names.empty()) return {};
    std::vector<SCARD_READERSTATE> states(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
      states[i].szReader = names[i].c_str();
      states[i].dwCurrentState = SCARD_STATE_UNAWARE;
    }
    rv = SCardGetStatusChange(ctx.handle(), 0, states.data(), static_cast<DWORD>(states.size()));
    if (rv == SCARD_E_UNKNOWN_READER) continue;  // a reader left between the two calls
    if (rv != SCARD_E_TIMEOUT) check(rv, "SCardGetStatusChange");
    std::vector<ReaderSnapshot> result;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if ((states[i].dwEventState & SCARD_STATE_UNKNOWN) != 0) continue;  // gone meanwhile
      result.push_back(to_snapshot(names[i], states[i]));
    }
    return result;
  }
  throw make_error("SCardGetStatusChange", rv, "reader list kept changing");
}

std::vector<std::string> PcscReaderService::list_readers() {
  return with_context([](const PcscContext& ctx) { return ctx.list_readers(); });
}

std::vector<hal::ReaderStatus> PcscReaderService::status() {
  baseline_ = with_context([this](const PcscContext& ctx) { return snapshot(ctx); });
  std::vector<hal::ReaderStatus> result;
  result.reserve(baseline_.size());
  for (const auto& s : baseline_) result.push_back(to_status(s));
  return result;
}

bool PcscReaderService::sleep_unless_cancelled(milliseconds duration) {
  std::unique_lock lock(mutex_);
  if (cancelled_.wait_for(lock, duration, [this] { return cancel_requested_; })) {
    cancel_requested_ = false;
    return false;
  }
  return true;
}

std::vector<hal::ReaderEvent> PcscReaderService::wait_for_events(milliseconds timeout) {
  const auto deadline = Clock::now() + std::max(timeout, milliseconds(0));
  auto take_cancel = [this] {
    std::lock_guard lock(mutex_);
    const bool requested = cancel_requested_;
    cancel_requested_ = false;
    return requested;
  };

  for (;;) {
    if (take_cancel()) return {};
    auto ctx = try_context();
    if (!ctx) {
      if (!baseline_.empty()) {  // pcscd went away: its readers went with it
        auto events = diff_snapshots(baseline_, {});
        baseline_.clear();
        return events;
      }
      const milliseconds left = left_until(deadline);
      if (left.count() == 0) {
        throw make_error("SCardEstablishContext", SCARD_E_NO_SERVICE, "waited " + std::to_string(timeout.count()) + " ms");
      }
      if (!sleep_unless_cancelled(std::min(options_.service_retry, left))) return {};
      continue;
    }

    std::vector<ReaderSnapshot> current;
    try {
      current = snapshot(*ctx);
    } catch (const hal::CardError& e) {
      if (!context_lost(e)) throw;
      drop_context(ctx);
      continue;
    }
    auto events = diff_snapshots(baseline_, current);
    if (!events.empty()) {
      baseline_ = std::move(current);
      return events;
    }

    // Nothing new yet: wait for a change of any reader, or of the reader list.
    std::vector<SCARD_READERSTATE> states(current.size() + 1);
    for (std::size_t i = 0; i < current.size(); ++i) {
      states[i].szReader = current[i].name.c_str();
      states[i].dwCurrentState = static_cast<DWORD>(current[i].raw_state);
    }
    SCARD_READERSTATE& pnp = states.back();
    pnp.szReader = kPnpNotification;
    // pcsc-lite keeps the reader count in the high 16 bits of the PnP reader's state.
    pnp.dwCurrentState = pnp_state_ != 0 ? static_cast<DWORD>(pnp_state_) : static_cast<DWORD>(current.size() << 16);

    bool resnapshot = false;
    while (!resnapshot) {
      const milliseconds left = left_until(deadline);
      if (left.count() == 0) return {};
      const auto slice = static_cast<DWORD>(std::min(left, options_.wait_slice).count());
      const LONG rv = SCardGetStatusChange(ctx->handle(), slice, states.data(), static_cast<DWORD>(states.size()));
      if (rv == SCARD_S_SUCCESS) {
        pnp_state_ = pnp.dwEventState & ~kChanged;
        resnapshot = true;
      } else if (rv == SCARD_E_TIMEOUT) {
        if (take_cancel()) return {};
      } else if (rv == SCARD_E_CANCELLED) {
        take_cancel();
        return {};
      } else if (rv == SCARD_E_UNKNOWN_READER) {
        resnapshot = true;
      } else {
        hal::CardError error = make_error("SCardGetStatusChange", rv);
        if (!context_lost(error)) throw error;
        drop_context(ctx);
        resnapshot = true;
      }
    }
  }
}

std::unique_ptr<hal::CardChannel> PcscReaderService::connect(const std::string& reader) {
  return std::make_unique<PcscCardChannel>(reader);
}

void PcscReaderService::cancel() {
  std::shared_ptr<PcscContext> ctx;
  {
    std::lock_guard lock(mutex_);
    cancel_requested_ = true;
    ctx = context_;
  }
  cancelled_.notify_all();
  if (ctx) (void)ctx->cancel();
}

}  // namespace kiosk::drivers::pcsc
