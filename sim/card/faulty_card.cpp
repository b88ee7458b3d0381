#include "sim/card/faulty_card.hpp"

#include <algorithm>

namespace kiosk::sim::card {

Bytes FaultyCard::process_apdu(ByteView command) {
  for (ResponseFault& f : faults_) {
    if (f.times == 0) continue;
    if (command.size() < f.command_prefix.size() ||
        !std::equal(f.command_prefix.begin(), f.command_prefix.end(), command.begin())) {
      continue;
    }
    if (f.times > 0) --f.times;
    if (f.before) f.before();
    Bytes response = f.replace ? *f.replace : inner_->process_apdu(command);
    if (f.keep && *f.keep < response.size()) response.resize(*f.keep);
    return response;
  }
  return inner_->process_apdu(command);
}

Bytes ForeignCard::atr() const {
  return Bytes{0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x33, 0x81, 0x81, 0x00, 0x3A};
}

Bytes ForeignCard::process_apdu(ByteView command) {
  static const Bytes ppse{'2', 'P', 'A', 'Y', '.', 'S', 'Y', 'S', '.', 'D', 'D', 'F', '0', '1'};
  if (command.size() < 4) return {0x67, 0x00};
  if (command[0] == 0x00 && command[1] == 0xA4) {
    if (command[2] == 0x04 && command.size() >= 5 + ppse.size() &&
        std::equal(ppse.begin(), ppse.end(), command.begin() + 5)) {
      Bytes fci{0x6F, 0x10, 0x84, 0x0E};
      fci.insert(fci.end(), ppse.begin(), ppse.end());
      fci.push_back(0x90);
      fci.push_back(0x00);
      return fci;
    }
    return {0x6A, 0x82};
  }
  return {0x6D, 0x00};
}

}  // namespace kiosk::sim::card
