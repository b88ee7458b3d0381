// Card files are checked field by field before the simulator uses them (issue 18, reliability
// 6): every corruption gives one error naming the file and the field, never a crash, and a good
// file (as `kiosk-sim card issue` writes it) passes.
#include <catch2/catch.hpp>

#include <fstream>

#include "sim/card/card_file_check.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
using kiosk::sim::card::CardFileError;
using nlohmann::json;

namespace {

std::string error_of(const std::filesystem::path& file) {
  try {
    sim::card::read_card_file(file);
  } catch (const CardFileError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("card files: a file as issued passes, every corrupted field is named with the file") {
  test::TempDir dir;
  const auto good_file = dir.path() / "taro.card.json";
  test::test_card_profile().save(good_file);
  CHECK(error_of(good_file) == "no error");
  json good;
  std::ifstream(good_file) >> good;

  struct Corruption {
    const char* pointer;
    json value;
    const char* field;
  };
  const std::vector<Corruption> corruptions{
      {"/format", "kiosk-sim-card/0", "format"},
      {"/holder", "Taro", "holder"},
      {"/holder/name", 7, "holder.name"},
      {"/holder/name", "", "holder.name"},
      {"/holder/birth_date", "19800230", "holder.birth_date"},
      {"/holder/birth_date", "1980-02-17", "holder.birth_date"},
      {"/holder/birth_date", "18680124", "holder.birth_date"},  // no era date (found by fuzz_card_file)
      {"/holder/sex", "M", "holder.sex"},
      {"/holder/address", json::array(), "holder.address"},
      {"/card_expiry", "20351399", "card_expiry"},
      {"/security_code", "22855", "security_code"},
      {"/token", "sim", "token"},
      {"/auth", nullptr, "auth"},
      {"/auth/private_key_pem", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n", "auth.private_key_pem"},
      {"/auth/certificate", "not base64!", "auth.certificate"},
      {"/auth/certificate", "AAAA", "auth.certificate"},
      {"/auth/ca_certificate", 1, "auth.ca_certificate"},
      {"/auth/pin/value", "12345", "auth.pin.value"},
      {"/auth/pin/value", "12a4", "auth.pin.value"},
      {"/auth/pin/max_tries", 4294967299LL, "auth.pin.max_tries"},
      {"/auth/pin/max_tries", 0, "auth.pin.max_tries"},
      {"/auth/pin/tries_left", 4294967297LL, "auth.pin.tries_left"},
      {"/auth/pin/tries_left", 2.9, "auth.pin.tries_left"},
      {"/auth/pin/tries_left", 4, "auth.pin.tries_left"},
      {"/auth/pin/tries_left", -1, "auth.pin.tries_left"},
      {"/auth/pin/tries_left", "3", "auth.pin.tries_left"},
      {"/sign/pin/value", "ab", "sign.pin.value"},
      {"/sign/private_key_pem", 0, "sign.private_key_pem"},
      {"/face_photo_jp2", "AAAAAAAAAAAAAAAA", "face_photo_jp2"},
      {"/face_photo_jp2", "***", "face_photo_jp2"},
      {"/code_b/value", "1234", "code_b.value"},
      {"/code_b/max_tries", 1e300, "code_b.max_tries"},
      {"/my_number", "12345", "my_number"},
      {"/text_pin", json::object(), "text_pin.value"},
      {"/capabilities/extended_length", "yes", "capabilities.extended_length"},
      {"/capabilities/file_padding", -1, "capabilities.file_padding"},
      {"/capabilities/file_padding", 18446744073709551615ULL, "capabilities.file_padding"},
      {"/capabilities", nullptr, "capabilities"},
      {"/generation", "future", "generation"},
      {"/generation", 2, "generation"},
      {"/card_face", "signed", "card_face"},
      {"/card_face/private_key_pem", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n", "card_face.private_key_pem"},
      {"/card_face/certificate", "", "card_face.certificate"},
      {"/card_face/record_signature", "not base64!", "card_face.record_signature"},
      {"/card_face/record_card_key", nullptr, "card_face.record_card_key"},
      {"/card_face/name_png", 5, "card_face.name_png"},
      {"/card_face/municipality_code", "1310", "card_face.municipality_code"},
      {"/attack", "photocopy", "attack"},
  };
  for (const Corruption& c : corruptions) {
    json bad = good;
    bad[json::json_pointer(c.pointer)] = c.value;
    const auto file = dir.path() / "bad.card.json";
    std::ofstream(file, std::ios::trunc) << bad.dump();
    const std::string error = error_of(file);
    INFO(c.pointer << " = " << c.value.dump() << " -> " << error);
    CHECK_THAT(error, Catch::StartsWith(file.string() + ": " + c.field));
  }
  // A certificate that does not belong to the key.
  json swapped = good;
  swapped["auth"]["certificate"] = good["sign"]["certificate"];
  std::ofstream(dir.path() / "swapped.card.json") << swapped.dump();
  CHECK_THAT(error_of(dir.path() / "swapped.card.json"), Catch::Contains("auth.certificate: does not hold the public half"));
  // Files made before the genuine-card proof (no generation, no card_face) and attack cards pass:
  // whether a card-face proof proves anything is the kiosk's check, not the file's.
  json old_file = good;
  old_file.erase("generation");
  old_file.erase("card_face");
  std::ofstream(dir.path() / "old.card.json") << old_file.dump();
  CHECK(error_of(dir.path() / "old.card.json") == "no error");
  test::cloned_card_profile(sim::card::CloneVariant::ForgedRecord).save(dir.path() / "clone.card.json");
  CHECK(error_of(dir.path() / "clone.card.json") == "no error");
  json undeclared;
  std::ifstream(dir.path() / "clone.card.json") >> undeclared;
  CHECK(undeclared["attack"] == "forged-record");
  undeclared.erase("attack");  // a clone that does not say so is a corrupted card file
  std::ofstream(dir.path() / "undeclared.card.json") << undeclared.dump();
  CHECK_THAT(error_of(dir.path() / "undeclared.card.json"), Catch::Contains("auth.certificate: does not hold the public half"));
  test::next_generation_card_profile().save(dir.path() / "next.card.json");
  CHECK(error_of(dir.path() / "next.card.json") == "no error");
}

TEST_CASE("card files: not JSON, too deep, too big, missing or a directory: one clear error") {
  test::TempDir dir;
  std::ofstream(dir.path() / "text.card.json") << "hello";
  CHECK_THAT(error_of(dir.path() / "text.card.json"), Catch::Contains("text.card.json: not JSON"));
  std::ofstream(dir.path() / "deep.card.json") << std::string(100000, '[') << std::string(100000, ']');
  CHECK_THAT(error_of(dir.path() / "deep.card.json"), Catch::Contains("nested deeper than 8 levels"));
  std::ofstream(dir.path() / "big.card.json") << std::string(2 << 20, ' ');
  CHECK_THAT(error_of(dir.path() / "big.card.json"), Catch::Contains("more than 1 MiB"));
  CHECK_THAT(error_of(dir.path() / "none.card.json"), Catch::Contains("none.card.json: not a card file"));
  CHECK_THAT(error_of(dir.path()), Catch::Contains("not a card file"));
  std::ofstream(dir.path() / "array.card.json") << "[1, 2]";
  CHECK_THAT(error_of(dir.path() / "array.card.json"), Catch::Contains("array.card.json: (file): expected a JSON object"));
}
