// Where the scenario player puts its cards. The firmware sees the field only as a
// hal::CardReaderService, as it sees a reader of the kiosk:
//   - InProcessCardField: sim::card::SimulatedReaders in the player's process (fast, every fault);
//   - PcscCardField: a reader of a running pcscd with vsmartcard's vpcd driver; the card is
//     served into it by a sim::vpcd::VpcdBridge, and the firmware talks to it through the real PC/SC
//     driver (drivers/pcsc), the path a card takes on the kiosk (`kiosk-sim run --pcsc`).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "hal/card_reader.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/card/virtual_card.hpp"

namespace kiosk::sim::vpcd {
class VpcdBridge;
}
namespace kiosk::drivers::pcsc {
class PcscReaderService;
}

namespace kiosk::sim::world {

// A reader of a running pcscd served by vpcd: its PC/SC name and vpcd's TCP port for that slot.
struct PcscReaderSlot {
  std::string reader = "Virtual PCD 00 00";  // Debian's /etc/reader.conf.d/vpcd, slot 0
  std::uint16_t vpcd_port = 35963;
};

class CardField {
 public:
  virtual ~CardField() = default;
  CardField() = default;
  CardField(const CardField&) = delete;
  CardField& operator=(const CardField&) = delete;
  // The reader's name.
  virtual const std::string& reader() const = 0;
  // Puts the card in the field (replacing one already there); returns once the card service
  // reports it.
  virtual void place(std::shared_ptr<sim::card::VirtualCard> card) = 0;
  // Takes the card out; returns once the card service reports it.
  virtual void remove() = 0;
  // The card leaves while it works on a command (called from inside its process_apdu): the
  // command gets no answer.
  virtual void pull_mid_command() = 0;
  virtual bool card_present() = 0;
  // A change the firmware has not been handed yet.
  virtual bool events_pending() const = 0;
  // Reader events handed to the firmware so far, where the field can count them (in process).
  virtual std::optional<std::uint64_t> events_delivered() const = 0;
  // Reader unplugged / plugged back, pcscd stopped / started: in-process only.
  virtual bool supports_reader_faults() const = 0;
  virtual void set_reader_attached(bool attached) = 0;
  virtual void set_service_running(bool running) = 0;
};

class InProcessCardField final : public CardField {
 public:
  // `readers` (the board's) outlive the field; `reader` is attached to them.
  InProcessCardField(sim::card::SimulatedReaders& readers, std::string reader);
  const std::string& reader() const override { return reader_; }
  void place(std::shared_ptr<sim::card::VirtualCard> card) override;
  void remove() override;
  void pull_mid_command() override;
  bool card_present() override;
  bool events_pending() const override { return readers_.events_pending(); }
  std::optional<std::uint64_t> events_delivered() const override { return readers_.events_delivered(); }
  bool supports_reader_faults() const override { return true; }
  void set_reader_attached(bool attached) override;
  void set_service_running(bool running) override;

 private:
  sim::card::SimulatedReaders& readers_;
  std::string reader_;
};

class PcscCardField final : public CardField {
 public:
  // Throws std::runtime_error when pcscd is not running, the reader is not listed, or a card
  // is already in it.
  explicit PcscCardField(PcscReaderSlot slot);
  ~PcscCardField() override;
  PcscCardField(const PcscCardField&) = delete;
  PcscCardField& operator=(const PcscCardField&) = delete;

  const std::string& reader() const override { return slot_.reader; }
  // Throws std::runtime_error when the card does not show up in the reader within 5 s (vpcd
  // not listening on the port, pcscd stopped).
  void place(std::shared_ptr<sim::card::VirtualCard> card) override;
  void remove() override;
  void pull_mid_command() override;
  bool card_present() override;
  bool events_pending() const override { return false; }  // place() and remove() wait for pcscd
  std::optional<std::uint64_t> events_delivered() const override { return std::nullopt; }
  bool supports_reader_faults() const override { return false; }
  void set_reader_attached(bool attached) override;
  void set_service_running(bool running) override;

 private:
  bool wait_for_presence(bool present);
  void stop_bridge();

  PcscReaderSlot slot_;
  std::unique_ptr<drivers::pcsc::PcscReaderService> observer_;  // the field's own view (own PC/SC context)
  std::shared_ptr<sim::card::VirtualCard> card_;
  std::unique_ptr<sim::vpcd::VpcdBridge> bridge_;
  std::thread bridge_thread_;
  std::string bridge_error_;  // written by the bridge thread before it ends; read after join
};

}  // namespace kiosk::sim::world
