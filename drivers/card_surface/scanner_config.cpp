#include "drivers/card_surface/scanner_config.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kiosk::drivers::card_surface {

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& key, const std::string& what) {
  throw std::invalid_argument(key + ": " + what);
}

void only_keys(const json& j, const std::string& where, std::initializer_list<const char*> allowed) {
  if (!j.is_object()) bad(where.empty() ? "card surface settings" : where, "must be an object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (!known) bad(where.empty() ? key : where + "." + key, "unknown key");
  }
}

double number(const json& j, const std::string& key, double min, double max) {
  if (!j.is_number()) bad(key, "must be a number");
  const double v = j.get<double>();
  if (v < min || v > max) bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

int integer(const json& j, const std::string& key, int min, int max) {
  if (!j.is_number_integer()) bad(key, "must be a whole number");
  const auto v = j.get<long long>();
  if (v < min || v > max) bad(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return static_cast<int>(v);
}

void pair(const json& j, const std::string& key, double& a, double& b, double min, double max) {
  if (!j.is_array() || j.size() != 2) bad(key, "must be a list of two numbers");
  a = number(j[0], key + "[0]", min, max);
  b = number(j[1], key + "[1]", min, max);
}

void field(const json& j, const std::string& key, FieldPlacement& f, const CardLayout& l) {
  only_keys(j, key, {"x_mm", "y_mm", "width_mm", "height_mm"});
  if (j.contains("x_mm")) f.x_mm = number(j["x_mm"], key + ".x_mm", 0, l.card_width_mm);
  if (j.contains("y_mm")) f.y_mm = number(j["y_mm"], key + ".y_mm", 0, l.card_height_mm);
  if (j.contains("width_mm")) f.width_mm = number(j["width_mm"], key + ".width_mm", 1, l.card_width_mm);
  if (j.contains("height_mm")) f.height_mm = number(j["height_mm"], key + ".height_mm", 0.5, 30);
  if (f.x_mm + f.width_mm > l.card_width_mm + 1e-9 || f.y_mm + f.height_mm > l.card_height_mm + 1e-9) {
    bad(key, "lies outside the card");
  }
}

json field_json(const FieldPlacement& f) {
  return {{"x_mm", f.x_mm}, {"y_mm", f.y_mm}, {"width_mm", f.width_mm}, {"height_mm", f.height_mm}};
}

}  // namespace

ScannerConfig scanner_config_from_json(const json& j) {
  ScannerConfig c;
  only_keys(j, "", {"layout", "read", "imaging", "tessdata_dir"});
  if (j.contains("layout")) {
    const json& l = j["layout"];
    only_keys(l, "layout", {"card_mm", "margin_mm", "birth_date", "card_expiry", "security_code", "photo"});
    CardLayout& out = c.layout;
    if (l.contains("card_mm")) pair(l["card_mm"], "layout.card_mm", out.card_width_mm, out.card_height_mm, 20, 200);
    if (l.contains("margin_mm")) pair(l["margin_mm"], "layout.margin_mm", out.margin_x_mm, out.margin_y_mm, 0, 20);
    if (l.contains("birth_date")) field(l["birth_date"], "layout.birth_date", out.birth_date, out);
    if (l.contains("card_expiry")) field(l["card_expiry"], "layout.card_expiry", out.card_expiry, out);
    if (l.contains("security_code")) field(l["security_code"], "layout.security_code", out.security_code, out);
    if (l.contains("photo")) field(l["photo"], "layout.photo", out.photo, out);
  }
  if (j.contains("read")) {
    const json& r = j["read"];
    only_keys(r, "read", {"frames_to_agree", "min_digit_confidence", "min_text_confidence", "expiry_max_years_ahead",
                          "expiry_max_years_past", "min_years_birth_to_expiry", "expiry_on_birthday",
                          "second_opinion_models", "second_opinion_agree", "second_opinion_dissent"});
    ReadPolicy& p = c.read;
    if (r.contains("frames_to_agree")) p.frames_to_agree = integer(r["frames_to_agree"], "read.frames_to_agree", 1, 20);
    if (r.contains("min_digit_confidence")) {
      p.min_digit_confidence = number(r["min_digit_confidence"], "read.min_digit_confidence", 0, 100);
    }
    if (r.contains("min_text_confidence")) {
      p.min_text_confidence = number(r["min_text_confidence"], "read.min_text_confidence", 0, 100);
    }
    if (r.contains("expiry_max_years_ahead")) {
      p.plausibility.expiry_max_years_ahead = integer(r["expiry_max_years_ahead"], "read.expiry_max_years_ahead", 0, 30);
    }
    if (r.contains("expiry_max_years_past")) {
      p.plausibility.expiry_max_years_past = integer(r["expiry_max_years_past"], "read.expiry_max_years_past", 0, 30);
    }
    if (r.contains("min_years_birth_to_expiry")) {
      p.plausibility.min_years_birth_to_expiry =
          integer(r["min_years_birth_to_expiry"], "read.min_years_birth_to_expiry", 0, 30);
    }
    if (r.contains("expiry_on_birthday")) {
      if (!r["expiry_on_birthday"].is_boolean()) bad("read.expiry_on_birthday", "must be true or false");
      p.plausibility.expiry_on_birthday = r["expiry_on_birthday"].get<bool>();
    }
    if (r.contains("second_opinion_models")) {
      const json& m = r["second_opinion_models"];
      if (!m.is_array() || m.size() > 8) bad("read.second_opinion_models", "must be a list of at most 8 model names");
      p.second_opinion_models.clear();
      for (const json& name : m) {
        // A language data name as Tesseract takes it ("chi_sim", "Japanese", "script/Latin").
        const bool ok = name.is_string() && !name.get<std::string>().empty() && name.get<std::string>().size() <= 40 &&
                        name.get<std::string>().find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                                                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/") ==
                            std::string::npos &&
                        name.get<std::string>().find("..") == std::string::npos;
        if (!ok) bad("read.second_opinion_models", "must name Tesseract language data (letters, digits, _ - /)");
        p.second_opinion_models.push_back(name.get<std::string>());
      }
    }
    if (r.contains("second_opinion_agree")) {
      p.second_opinion_agree = integer(r["second_opinion_agree"], "read.second_opinion_agree", 2, 12);
    }
    if (r.contains("second_opinion_dissent")) {
      p.second_opinion_dissent = integer(r["second_opinion_dissent"], "read.second_opinion_dissent", 0, 4);
    }
    if (p.second_opinion_dissent >= p.second_opinion_agree) {
      bad("read.second_opinion_dissent", "must be less than read.second_opinion_agree");
    }
  }
  if (j.contains("imaging")) {
    const json& i = j["imaging"];
    only_keys(i, "imaging", {"pixels_per_mm", "locate_width", "min_card_area", "max_glare_fraction", "min_sharpness"});
    ImagingSettings& m = c.imaging;
    if (i.contains("pixels_per_mm")) m.pixels_per_mm = number(i["pixels_per_mm"], "imaging.pixels_per_mm", 4, 30);
    if (i.contains("locate_width")) m.locate_width = integer(i["locate_width"], "imaging.locate_width", 160, 4096);
    if (i.contains("min_card_area")) m.min_card_area = number(i["min_card_area"], "imaging.min_card_area", 0.001, 1);
    if (i.contains("max_glare_fraction")) {
      m.max_glare_fraction = number(i["max_glare_fraction"], "imaging.max_glare_fraction", 0, 1);
    }
    if (i.contains("min_sharpness")) m.min_sharpness = number(i["min_sharpness"], "imaging.min_sharpness", 0, 10000);
  }
  if (j.contains("tessdata_dir")) {
    if (!j["tessdata_dir"].is_string()) bad("tessdata_dir", "must be a directory name");
    c.tessdata_dir = j["tessdata_dir"].get<std::string>();
  }
  return c;
}

ScannerConfig load_scanner_config(const std::filesystem::path& file) {
  // A calibration file is a few hundred bytes, a few levels deep: anything far beyond is not one
  // (and is refused before it is parsed or printed).
  constexpr std::uintmax_t kMaxBytes = 64 * 1024;
  constexpr int kMaxDepth = 8;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw std::invalid_argument(file.string() + ": not a readable file");
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec || size > kMaxBytes) {
    throw std::invalid_argument(file.string() + ": larger than " + std::to_string(kMaxBytes / 1024) + " KiB");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument(file.string() + ": cannot be read");
  std::string text(static_cast<std::size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  json j;
  try {
    j = json::parse(text, [&](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth) {
        throw std::invalid_argument(file.string() + ": nested deeper than " + std::to_string(kMaxDepth) + " levels");
      }
      return true;
    });
  } catch (const json::exception& e) {
    throw std::invalid_argument(file.string() + ": not JSON (" + e.what() + ")");
  }
  return scanner_config_from_json(j);
}

json to_json(const ScannerConfig& c) {
  const auto& l = c.layout;
  const auto& r = c.read;
  const auto& m = c.imaging;
  return {{"layout",
           {{"card_mm", {l.card_width_mm, l.card_height_mm}},
            {"margin_mm", {l.margin_x_mm, l.margin_y_mm}},
            {"birth_date", field_json(l.birth_date)},
            {"card_expiry", field_json(l.card_expiry)},
            {"security_code", field_json(l.security_code)},
            {"photo", field_json(l.photo)}}},
          {"read",
           {{"frames_to_agree", r.frames_to_agree},
            {"min_digit_confidence", r.min_digit_confidence},
            {"min_text_confidence", r.min_text_confidence},
            {"expiry_max_years_ahead", r.plausibility.expiry_max_years_ahead},
            {"expiry_max_years_past", r.plausibility.expiry_max_years_past},
            {"min_years_birth_to_expiry", r.plausibility.min_years_birth_to_expiry},
            {"expiry_on_birthday", r.plausibility.expiry_on_birthday},
            {"second_opinion_models", r.second_opinion_models},
            {"second_opinion_agree", r.second_opinion_agree},
            {"second_opinion_dissent", r.second_opinion_dissent}}},
          {"imaging",
           {{"pixels_per_mm", m.pixels_per_mm},
            {"locate_width", m.locate_width},
            {"min_card_area", m.min_card_area},
            {"max_glare_fraction", m.max_glare_fraction},
            {"min_sharpness", m.min_sharpness}}},
          {"tessdata_dir", c.tessdata_dir.string()}};
}

}  // namespace kiosk::drivers::card_surface
