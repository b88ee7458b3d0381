#include "firmware/screen/diag_texts.hpp"

#include <string>

namespace kiosk::firmware::screen {
namespace {

// English text of core/diagnostics (or hal's advice) -> the staff page's resource key.
struct TextKey {
  std::string_view english;
  std::string_view key;
};

constexpr TextKey kAreas[] = {
    {"host", "staff.diag.area.host"},
    {"usb", "staff.diag.area.usb"},
    {"pcsc", "staff.diag.area.pcsc"},
    {"card", "staff.diag.area.card"},
    {"camera", "staff.diag.area.camera"},
    {"service", "staff.diag.area.service"},
};
constexpr TextKey kNames[] = {
    {"disk space", "staff.diag.name.disk_space"},
    {"journal integrity", "staff.diag.name.journal_integrity"},
    {"configuration", "staff.diag.name.configuration"},
    {"USB enumeration", "staff.diag.name.usb_enumeration"},
    {"card reader present", "staff.diag.name.card_reader_present"},
    {"camera present", "staff.diag.name.camera_present"},
    {"card service (pcscd)", "staff.diag.name.pcscd"},
    {"readers", "staff.diag.name.readers"},
    {"emulated reader", "staff.diag.name.emulated_reader"},
    {"configured reader", "staff.diag.name.configured_reader"},
    {"connect to the card", "staff.diag.name.connect_card"},
    {"reader status", "staff.diag.name.reader_status"},
    {"test card", "staff.diag.name.test_card"},
    {"test card present", "staff.diag.name.test_card_present"},
    {"ATR", "staff.diag.name.atr"},
    {"JPKI application", "staff.diag.name.jpki_application"},
    {"certificate readable", "staff.diag.name.certificate_readable"},
    {"certificate validity", "staff.diag.name.certificate_validity"},
    {"PIN tries left", "staff.diag.name.pin_tries_left"},
    {"card answers", "staff.diag.name.card_answers"},
    {"card stays on the reader", "staff.diag.name.card_stays"},
    {"camera opens", "staff.diag.name.camera_opens"},
    {"resolution", "staff.diag.name.resolution"},
    {"frame rate", "staff.diag.name.frame_rate"},
    {"brightness", "staff.diag.name.brightness"},
    {"face detected", "staff.diag.name.face_detected"},
    {"focus", "staff.diag.name.focus"},
    {"reachability", "staff.diag.name.reachability"},
    {"TLS handshake", "staff.diag.name.tls_handshake"},
    {"server certificate", "staff.diag.name.server_certificate"},
    {"terminal certificate", "staff.diag.name.terminal_certificate"},
    {"service answer", "staff.diag.name.service_answer"},
    {"clock offset", "staff.diag.name.clock_offset"},
    {"eligibility service", "staff.diag.name.eligibility_service"},
};
constexpr TextKey kNamePrefixes[] = {
    {"card reader ", "staff.diag.name.usb_card_reader"},
    {"camera ", "staff.diag.name.usb_camera"},
    {"model: ", "staff.diag.name.model"},
};
constexpr TextKey kAdvice[] = {
    {"check the data directory", "staff.diag.advice.check_data_dir"},
    {"free disk space: journal entries cannot be kept safely", "staff.diag.advice.disk_full"},
    {"free disk space soon", "staff.diag.advice.disk_soon"},
    {"normal on a new kiosk; otherwise the journal was moved or deleted", "staff.diag.advice.journal_new"},
    {"keep a copy of the journal for support (kiosk diag --bundle) and call the vendor", "staff.diag.advice.journal_unreadable"},
    {"the journal is damaged: keep a copy for support (kiosk diag --bundle) before anything else", "staff.diag.advice.journal_damaged"},
    {"correct the configuration file and restart the kiosk", "staff.diag.advice.fix_configuration"},
    {"install the model file at the configured path", "staff.diag.advice.install_model"},
    {"the model file is damaged or the wrong version: reinstall it", "staff.diag.advice.model_damaged"},
    {"check the file's permissions", "staff.diag.advice.file_permissions"},
    {"run diagnostics as root or give the kiosk user access to /dev/bus/usb", "staff.diag.advice.usb_access"},
    {"the camera runs at USB 1.1 speed: plug it into a USB 2.0 or faster port, not through a slow hub", "staff.diag.advice.camera_usb_slow"},
    {"connect the contactless card reader; check the cable and the port", "staff.diag.advice.connect_reader_usb"},
    {"connect the camera; face authentication needs it", "staff.diag.advice.connect_camera"},
    {"start the PC/SC service: systemctl start pcscd.socket (or pcscd), then run the check again", "staff.diag.advice.start_pcscd"},
    {"connect the card reader; if it is connected, check its driver (pcscd -f -d shows why)", "staff.diag.advice.reader_driver"},
    {"remove vsmartcard-vpcd from the kiosk: it lets anyone who reaches its network port present a card", "staff.diag.advice.remove_vpcd"},
    {"set card_reader.reader to one of the listed readers, or card_reader.accepted_models to its model", "staff.diag.advice.set_reader"},
    {"connect the configured reader, or set card_reader.reader / card_reader.accepted_models to a listed one", "staff.diag.advice.connect_configured_reader"},
    {"to check a test card, stop the kiosk and run kiosk diag", "staff.diag.advice.stop_kiosk_for_test_card"},
    {"place a test card on the reader to check the card path", "staff.diag.advice.place_test_card"},
    {"the card on the reader is not a My Number card: use a JPKI test card", "staff.diag.advice.not_my_number_card"},
    {"place the card flat on the reader and run the check again", "staff.diag.advice.place_flat"},
    {"renew the test card's certificate soon", "staff.diag.advice.renew_test_card"},
    {"the configured JPKI CA certificates do not match this card: check the trust directory", "staff.diag.advice.trust_mismatch"},
    {"use a test card with a valid certificate", "staff.diag.advice.valid_test_card"},
    {"wrong PINs were entered on this card; a correct PIN resets the count", "staff.diag.advice.pin_tries"},
    {"the PIN of this card is locked: it must be reset at the municipal office", "staff.diag.advice.pin_locked"},
    {"place the card again; if it repeats, try another card", "staff.diag.advice.place_again"},
    {"the certificate on the card is damaged", "staff.diag.advice.certificate_damaged"},
    {"start the smart-card service (pcscd) and try again", "staff.diag.advice.card_no_service"},
    {"connect the card reader and try again", "staff.diag.advice.card_no_reader"},
    {"place the card on the reader", "staff.diag.advice.card_no_card"},
    {"place the card on the reader again and keep it there", "staff.diag.advice.card_removed"},
    {"reconnect the card reader and try again", "staff.diag.advice.card_reader_gone"},
    {"close the other application using the card and try again", "staff.diag.advice.card_sharing"},
    {"this card cannot be read by this reader; ask the reception", "staff.diag.advice.card_protocol"},
    {"place the card on the reader again, flat and still", "staff.diag.advice.card_unresponsive"},
    {"restart the kiosk; if it happens again, call the technician", "staff.diag.advice.restart_kiosk"},
    {"connect the camera, check the configured device (index or /dev/v4l/by-id path) and restart the kiosk", "staff.diag.advice.camera_not_found"},
    {"close the other program using the camera (or fix the device permissions: group 'video') and try again", "staff.diag.advice.camera_busy"},
    {"configure a resolution and frame rate the camera supports (v4l2-ctl --list-formats-ext)", "staff.diag.advice.camera_unsupported"},
    {"reconnect the camera (check the USB cable); patients can use the PIN meanwhile", "staff.diag.advice.camera_disconnected"},
    {"the camera stopped delivering frames: reconnect it; if it happens again, replace it", "staff.diag.advice.camera_timeout"},
    {"the camera is far too slow for face matching: check the USB connection (a USB 2 port or hub shared with other devices), lower the configured resolution, or replace the camera", "staff.diag.advice.camera_far_too_slow"},
    {"the camera is slower than configured (in low light many cameras lengthen the exposure): add light or configure a mode the camera sustains", "staff.diag.advice.camera_slow"},
    {"the picture is too dark: light the area in front of the kiosk (faces need even, frontal light)", "staff.diag.advice.too_dark"},
    {"the picture is over-exposed: keep direct sunlight and lamps out of the camera's view, or lower the exposure", "staff.diag.advice.over_exposed"},
    {"parts of the picture are black or white: a window or lamp behind the patient, or a dark corner; move the kiosk or change the lighting", "staff.diag.advice.clipping"},
    {"ask someone to stand in front of the kiosk, look at the screen, and run the check again; if nobody is found then either, check the camera's direction and the lighting", "staff.diag.advice.ask_someone"},
    {"run the check again with someone in front of the camera", "staff.diag.advice.run_with_someone"},
    {"fix the light first, then check again", "staff.diag.advice.fix_light_first"},
    {"the picture is blurred: clean the lens, check the focus (fixed-focus cameras: the patient's distance), and that the camera is firmly mounted", "staff.diag.advice.blurred"},
    {"see the model checks above", "staff.diag.advice.see_models"},
    {"check the network cable and the line to the eligibility service (VPN / IP-VPN router), and the host name in the configuration", "staff.diag.advice.net_unreachable"},
    {"the host answers but the service does not listen on that port: check eligibility.port, or whether the service (or its gateway) is down", "staff.diag.advice.connection_refused"},
    {"no answer: check the router and firewall on the way to the service; if others are affected, the service may be down (check its status notices)", "staff.diag.advice.no_answer"},
    {"the connection broke: check the line's stability; if it persists, contact the line provider", "staff.diag.advice.connection_broke"},
    {"the server is not the eligibility service known to this kiosk: check the host name and the service CA file (eligibility.ca_certificate); a proxy that intercepts TLS must not be in the way", "staff.diag.advice.server_untrusted"},
    {"the server's certificate is expired or not yet valid: check the kiosk's clock first, then report it to the service operator", "staff.diag.advice.server_cert_expired"},
    {"the server's certificate is issued to another name: configure the host name the certificate names", "staff.diag.advice.name_mismatch"},
    {"the service refused this terminal's certificate (expired, revoked, or from another CA): install the terminal certificate issued for this kiosk", "staff.diag.advice.client_refused"},
    {"TLS could not be agreed: check that nothing between kiosk and service alters the connection, then report the OpenSSL reason to the vendor", "staff.diag.advice.tls_failed"},
    {"fix the terminal certificate, key or service CA files named in the configuration (readable PEM, key matching the certificate)", "staff.diag.advice.fix_tls_files"},
    {"the line is slow: check the router and the line's load; patients wait for every request", "staff.diag.advice.line_slow"},
    {"the line or the service is slow: check the line's load", "staff.diag.advice.line_or_service_slow"},
    {"update the kiosk firmware to a version that speaks the service's protocol", "staff.diag.advice.update_firmware"},
    {"the service reports trouble: patients may be sent to the counter; check the service's notices", "staff.diag.advice.service_trouble"},
    {"synchronise the kiosk's clock (NTP: timedatectl set-ntp true; check that the NTP server is reachable)", "staff.diag.advice.sync_clock"},
    {"request a new terminal certificate for this kiosk and install it (eligibility.terminal_certificate and key)", "staff.diag.advice.renew_terminal"},
    {"the service operator must renew its certificate: report it", "staff.diag.advice.operator_renew"},
    {"configure the eligibility service (host, port, CA, terminal certificate and key); until then every patient is sent to the counter", "staff.diag.advice.configure_service"},
};

template <std::size_t N>
const TextKey* exact(const TextKey (&table)[N], std::string_view english) {
  for (const TextKey& t : table) {
    if (t.english == english) return &t;
  }
  return nullptr;
}

nlohmann::json key_or_null(const TextKey* t) { return t != nullptr ? nlohmann::json(t->key) : nlohmann::json(nullptr); }

std::string text_of(const nlohmann::json& j, const char* field) {
  const auto it = j.find(field);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

nlohmann::json with_text_keys(nlohmann::json report) {
  const auto checks = report.find("checks");
  if (checks == report.end() || !checks->is_array()) return report;
  for (nlohmann::json& c : *checks) {
    if (!c.is_object()) continue;
    c["area_key"] = key_or_null(exact(kAreas, text_of(c, "area")));
    const std::string name = text_of(c, "check");
    const TextKey* named = exact(kNames, name);
    std::string detail;
    if (named == nullptr) {  // "card reader 054c:0dc8", "model: face detector": the known part, then the rest
      for (const TextKey& t : kNamePrefixes) {
        if (name.size() > t.english.size() && name.starts_with(t.english)) {
          named = &t;
          detail = name.substr(t.english.size());
          break;
        }
      }
    }
    c["check_key"] = key_or_null(named);
    c["check_detail"] = detail.empty() ? nlohmann::json(nullptr) : nlohmann::json(detail);
    c["action_key"] = key_or_null(exact(kAdvice, text_of(c, "action")));
  }
  return report;
}

std::vector<std::string_view> diagnostics_text_keys() {
  std::vector<std::string_view> keys;
  for (const TextKey& t : kAreas) keys.push_back(t.key);
  for (const TextKey& t : kNames) keys.push_back(t.key);
  for (const TextKey& t : kNamePrefixes) keys.push_back(t.key);
  for (const TextKey& t : kAdvice) keys.push_back(t.key);
  return keys;
}

std::vector<std::string_view> diagnostics_english_texts() {
  std::vector<std::string_view> texts;
  for (const TextKey& t : kNames) texts.push_back(t.english);
  for (const TextKey& t : kNamePrefixes) texts.push_back(t.english);
  for (const TextKey& t : kAdvice) texts.push_back(t.english);
  return texts;
}

}  // namespace kiosk::firmware::screen
