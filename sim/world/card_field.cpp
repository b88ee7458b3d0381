#include "sim/world/card_field.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>

#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "sim/vpcd/vpcd_bridge.hpp"

namespace kiosk::sim::world {

using namespace std::chrono_literals;

InProcessCardField::InProcessCardField(sim::card::SimulatedReaders& readers, std::string reader)
    : readers_(readers), reader_(std::move(reader)) {}

void InProcessCardField::place(std::shared_ptr<sim::card::VirtualCard> card) { readers_.place_card(reader_, std::move(card)); }

void InProcessCardField::remove() { readers_.remove_card(reader_); }

void InProcessCardField::pull_mid_command() { readers_.remove_card(reader_); }

bool InProcessCardField::card_present() {
  try {
    for (const auto& r : readers_.status()) {
      if (r.name == reader_) return r.card_present;
    }
  } catch (const hal::CardError&) {  // the card service is stopped
  }
  return false;
}

void InProcessCardField::set_reader_attached(bool attached) {
  if (attached) {
    readers_.attach_reader(reader_);
  } else {
    readers_.detach_reader(reader_);
  }
}

void InProcessCardField::set_service_running(bool running) { readers_.set_service_running(running); }

namespace {
constexpr auto kPresenceTimeout = 5s;  // pcscd polls a vpcd slot about every 400 ms
}

PcscCardField::PcscCardField(PcscReaderSlot slot)
    : slot_(std::move(slot)),
      observer_(std::make_unique<drivers::pcsc::PcscReaderService>()) {
  std::vector<std::string> names;
  try {
    names = observer_->list_readers();
  } catch (const hal::CardError& e) {
    throw std::runtime_error(std::string("--pcsc: cannot reach pcscd (") + e.what() +
                             "); start it (systemctl start pcscd, or pcscd -f) with the vpcd reader driver installed");
  }
  bool listed = false;
  std::string all;
  for (const auto& n : names) {
    listed = listed || n == slot_.reader;
    all += (all.empty() ? "" : ", ") + ("\"" + n + "\"");
  }
  if (!listed) {
    throw std::runtime_error("--pcsc: pcscd has no reader \"" + slot_.reader + "\" (it lists: " +
                             (all.empty() ? std::string("none") : all) +
                             "); name the vpcd reader with --pcsc-reader and its port with --vpcd-port");
  }
  if (card_present()) {
    throw std::runtime_error("--pcsc: a card is already in \"" + slot_.reader +
                             "\" (another `kiosk-sim card serve`?); take it out first");
  }
}

PcscCardField::~PcscCardField() { stop_bridge(); }

bool PcscCardField::card_present() {
  try {
    for (const auto& r : observer_->status()) {
      if (r.name == slot_.reader) return r.card_present;
    }
  } catch (const hal::CardError&) {  // pcscd went away: no card to be seen
  }
  return false;
}

bool PcscCardField::wait_for_presence(bool present) {
  const auto limit = std::chrono::steady_clock::now() + kPresenceTimeout;
  while (std::chrono::steady_clock::now() < limit) {
    if (card_present() == present) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

void PcscCardField::stop_bridge() {
  if (bridge_) bridge_->stop();
  if (bridge_thread_.joinable()) bridge_thread_.join();
  bridge_.reset();
  card_.reset();
}

void PcscCardField::place(std::shared_ptr<sim::card::VirtualCard> card) {
  if (bridge_) remove();
  card_ = std::move(card);
  sim::vpcd::VpcdBridgeOptions options;
  options.vpcd = sim::vpcd::Endpoint{"127.0.0.1", slot_.vpcd_port};
  options.connect_timeout = 3s;
  options.reconnect = false;
  options.on_log = [](const std::string& line) { std::cerr << "[vpcd bridge] " << line << "\n"; };
  bridge_ = std::make_unique<sim::vpcd::VpcdBridge>(*card_, options);
  bridge_error_.clear();
  bridge_thread_ = std::thread([this] {
    try {
      bridge_->run();
    } catch (const std::exception& e) {
      bridge_error_ = e.what();
    }
  });
  if (!wait_for_presence(true)) {
    stop_bridge();
    throw std::runtime_error("the card did not show up in \"" + slot_.reader + "\" within 5 s" +
                             (bridge_error_.empty() ? std::string(" (is vpcd of that reader on port ") +
                                                          std::to_string(slot_.vpcd_port) + "?)"
                                                    : ": " + bridge_error_));
  }
}

void PcscCardField::remove() {
  stop_bridge();
  if (!wait_for_presence(false)) {
    throw std::runtime_error("pcscd still reports a card in \"" + slot_.reader + "\" 5 s after it was taken out");
  }
}

void PcscCardField::pull_mid_command() {
  if (bridge_) bridge_->eject();  // the bridge drops the answer and leaves the field
}

void PcscCardField::set_reader_attached(bool) {
  throw std::logic_error("reader faults need the in-process readers (kiosk-sim run without --pcsc)");
}

void PcscCardField::set_service_running(bool) {
  throw std::logic_error("pcscd faults need the in-process readers (kiosk-sim run without --pcsc)");
}

}  // namespace kiosk::sim::world
