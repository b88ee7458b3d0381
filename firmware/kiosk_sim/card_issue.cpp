// kiosk-sim card issue / show: the card factory.
#include <iostream>

#include "firmware/kiosk_sim/commands.hpp"
#include "firmware/kiosk_sim/sim_dates.hpp"
#include "hal/calendar.hpp"
#include "sim/ca/jpki_ca.hpp"
#include "sim/card/attack_cards.hpp"
#include "sim/card/card_factory.hpp"

namespace kiosk::firmware::kiosk_sim {
namespace {

struct IssueOptions {
  std::string ca_dir;
  std::string out;
  std::string name;
  std::string birth;
  std::string sex = "9";
  std::string address = "東京都千代田区";
  std::string pin = "1234";
  bool no_pin = false;
  std::string sign_password = "ABC123";
  bool no_sign = false;
  std::string photo;
  std::string certificate = "valid";
  std::string token = "card";
  std::string security_code;
  int tries_left = 3;
  std::string today;
  bool no_extended = false;
  bool no_short_ef = false;
  std::size_t padding = 0;
  std::string generation = "current";
  std::string municipality = "13101";
  std::string clone_of;
  std::string clone_variant = "foreign-root";
  std::string record_of;
};

const char* token_name(sim::card::TokenType t) {
  switch (t) {
    case sim::card::TokenType::Card: return "My Number card";
    case sim::card::TokenType::AndroidSmartphone: return "Android smartphone JPKI";
    case sim::card::TokenType::IPhone: return "iPhone JPKI";
  }
  return "?";
}

void print_card(const sim::card::CardProfile& p, std::ostream& out) {
  out << "  holder:        " << p.holder_name << " (born " << p.birth_date << ", sex " << p.sex << ")\n"
      << "  token:         " << token_name(p.token) << "\n"
      << "  card expiry:   " << p.card_expiry << "\n"
      << "  auth PIN:      " << (p.auth.pin.value ? "set" : "none (face-only card)") << ", tries left "
      << p.auth.pin.tries_left << "/" << p.auth.pin.max_tries << "\n"
      << "  signing cert:  " << (p.sign ? "present, password tries left " + std::to_string(p.sign->pin.tries_left) + "/5" : "none")
      << "\n";
  if (p.token == sim::card::TokenType::Card) {
    out << "  generation:    " << sim::card::to_string(p.generation)
        << (p.generation == sim::card::CardGeneration::Next ? " (次期個人番号カード: the photo cannot be opened by today's kiosks)" : "")
        << "\n"
        << "  face photo:    " << p.face_photo_jp2.size() << " bytes JPEG 2000\n"
        << "  照合番号B tries left: " << p.code_b.tries_left << "/" << p.code_b.max_tries << "\n"
        << "  card-face proof: "
        << (p.card_face ? "EF 0004 certificate, DF24 card key, DF28 signature (municipality " + p.card_face->municipality_code + ")"
            : p.generation == sim::card::CardGeneration::Next
                ? std::string("none the kiosk can read (the next-generation card's 券面等AP is not known)")
                : std::string("none (a card file made before it: refused on the face path)"))
        << "\n";
  }
}

}  // namespace

void register_card_issue_command(CLI::App& card_command) {
  static IssueOptions o;
  auto* issue = card_command.add_subcommand("issue", "Issue a simulated My Number card into a card file");
  issue->add_option("--ca", o.ca_dir, "Directory of the simulated JPKI CA (kiosk-sim ca init); not for --clone-of");
  issue->add_option("--out", o.out, "Card file to write (JSON; holds test keys and PINs)")->required();
  issue->add_option("--name", o.name, "Holder's name, e.g. \"番号 太郎\" (required unless --clone-of)");
  issue->add_option("--birth", o.birth, "Birth date YYYYMMDD (required unless --clone-of)");
  issue->add_option("--sex", o.sex, "ISO 5218: 1 male, 2 female, 9 not applicable, 0 unknown")->capture_default_str();
  issue->add_option("--address", o.address, "Address")->capture_default_str();
  issue->add_option("--pin", o.pin, "User-authentication PIN (4 digits)")->capture_default_str();
  issue->add_flag("--no-pin", o.no_pin, "A PIN-less face-only card (顔認証マイナンバーカード): no PIN, no signing certificate");
  issue->add_option("--sign-password", o.sign_password, "Signing password (6-16 of A-Z 0-9)")->capture_default_str();
  issue->add_flag("--no-sign", o.no_sign, "No signing certificate (minors, face-only cards)");
  issue->add_option("--photo", o.photo, "Image of the holder's face for the card photo (default: a drawn silhouette)");
  issue->add_option("--certificate", o.certificate, "valid | expiring-soon | expired-in-grace | expired | revoked")
      ->capture_default_str();
  issue->add_option("--token", o.token, "card | android | iphone (smartphone JPKI: no card-face application)")
      ->capture_default_str();
  issue->add_option("--security-code", o.security_code, "The 4-digit security code printed on the card (default: random)");
  issue->add_option("--tries-left", o.tries_left, "Auth PIN tries left at issue (0 = locked)")->capture_default_str();
  issue->add_option("--today", o.today, "Pretend today is this date (YYYY-MM-DD)");
  issue->add_flag("--no-extended-length", o.no_extended, "The card (or reader) refuses extended-length APDUs");
  issue->add_flag("--no-short-ef", o.no_short_ef, "The card refuses short EF identifiers");
  issue->add_option("--file-padding", o.padding, "FF filler bytes after certificates and records");
  issue->add_option("--generation", o.generation,
                    "current | next (次期個人番号カード from 2026; its internals are the simulator's assumption)")
      ->capture_default_str();
  issue->add_option("--municipality", o.municipality, "5-digit municipality code whose issuer key signs the card-face record")
      ->capture_default_str();
  issue->add_option("--clone-of", o.clone_of,
                    "Attack card: the victim's card file; the clone carries the victim's authentication certificate "
                    "and a card-face record with --photo (the attacker's face)");
  issue->add_option("--clone-variant", o.clone_variant,
                    "foreign-root | forged-certificate | forged-record | stolen-record | other-card (docs/genuine-card.md)")
      ->capture_default_str();
  issue->add_option("--record-of", o.record_of, "other-card: the attacker's own genuine card file (its record and chip)");
  issue->callback([] {
    if (!o.clone_of.empty()) {
      sim::card::CloneOrder clone;
      clone.variant = sim::card::clone_variant_from_name(o.clone_variant);
      if (!o.photo.empty()) clone.photo = o.photo;
      if (!o.record_of.empty()) clone.attacker_card = sim::card::CardProfile::load(o.record_of);
      const sim::card::CardProfile card = sim::card::make_cloned_card(sim::card::CardProfile::load(o.clone_of), clone);
      card.save(o.out);
      std::cout << "issued the attack card " << o.out << " (" << sim::card::to_string(clone.variant) << " clone of " << o.clone_of
                << "; its PIN is " << clone.pin << ", which the victim's certificate does not accept)\n";
      print_card(card, std::cout);
      return;
    }
    if (o.ca_dir.empty()) throw CLI::RequiredError("--ca");
    if (o.name.empty()) throw CLI::RequiredError("--name");
    if (o.birth.empty()) throw CLI::RequiredError("--birth");
    sim::card::CardOrder order;
    order.holder_name = o.name;
    order.birth_date = o.birth;
    if (o.sex.size() != 1) throw CLI::ValidationError("--sex", "one digit: 0, 1, 2 or 9");
    order.sex = o.sex[0];
    order.address = o.address;
    if (o.no_pin) {
      order.pin.reset();
      order.sign_password.reset();
    } else {
      order.pin = o.pin;
      if (o.no_sign) {
        order.sign_password.reset();
      } else {
        order.sign_password = o.sign_password;
      }
    }
    if (!o.photo.empty()) order.photo = o.photo;
    order.certificate = sim::card::certificate_condition_from_name(o.certificate);
    if (o.token == "card") {
      order.token = sim::card::TokenType::Card;
    } else if (o.token == "android") {
      order.token = sim::card::TokenType::AndroidSmartphone;
    } else if (o.token == "iphone") {
      order.token = sim::card::TokenType::IPhone;
    } else {
      throw CLI::ValidationError("--token", "card, android or iphone");
    }
    order.security_code = o.security_code;
    order.auth_tries_left = o.tries_left;
    order.today = parse_today(o.today);
    order.generation = sim::card::card_generation_from_name(o.generation);
    order.municipality_code = o.municipality;

    auto ca = sim::ca::SimulatedJpkiCa::open(o.ca_dir);
    sim::card::CardProfile card = sim::card::issue_card(ca, order);
    card.extended_length = !o.no_extended;
    card.short_ef_identifiers = !o.no_short_ef;
    card.file_padding = o.padding;
    card.save(o.out);
    if (order.certificate == sim::card::CertificateCondition::Revoked) sim::world::write_crls(ca, order.today);
    std::cout << "issued " << o.out << "\n";
    print_card(card, std::cout);
  });

  static std::string show_file;
  auto* show = card_command.add_subcommand("show", "Describe a card file (no PINs are printed)");
  show->add_option("file", show_file, "Card file")->required();
  show->callback([] {
    std::cout << show_file << "\n";
    print_card(sim::card::CardProfile::load(show_file), std::cout);
  });
}

std::chrono::system_clock::time_point parse_today(const std::string& text) {
  if (text.empty()) return std::chrono::system_clock::now();
  const auto date = hal::calendar::parse_iso_date(text);
  if (!date) throw CLI::ValidationError("--today", "a date YYYY-MM-DD");
  return std::chrono::sys_days{*date};
}

}  // namespace kiosk::firmware::kiosk_sim
