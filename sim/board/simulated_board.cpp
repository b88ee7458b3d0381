#include "sim/board/simulated_board.hpp"

#include <exception>
#include <iostream>

#include "core/face/face_config.hpp"
#include "drivers/card_surface/ocr_card_surface_scanner.hpp"
#include "drivers/card_surface/ocr_document_reader.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "drivers/pcsc/pcsc_reader_service.hpp"
#include "drivers/system/system_clock.hpp"
#include "drivers/system/systemd_service_manager.hpp"
#include "sim/card/card_file_check.hpp"
#include "sim/card/jpki_card.hpp"
#include "sim/card/simulated_readers.hpp"
#include "sim/eligibility/fixture.hpp"

namespace kiosk::sim::board {

namespace cb = core::board;

void SimulatedBoard::place_card(const std::filesystem::path& card_file) {
  card::read_card_file(card_file);  // a bad file: one error naming the file and the field
  if (tray != nullptr) tray->place(card::CardProfile::load(card_file));
  field->place(card::JpkiCard::load(card_file));
}

void SimulatedBoard::place_document(const card_face::PrintedDocument& document, const card_face::DocumentRenderOptions& options) {
  if (tray != nullptr) tray->place_document(document, options);
}

void SimulatedBoard::set_service_faults(const WorldFaults& faults) {
  line->set_down(faults.service_down);
  line->set_wrong_certificate(faults.service_wrong_certificate);
  line->set_extra_latency(faults.service_extra_latency);
  service->set_faults(faults.service_replies);
}

namespace {

// The same OCR reader as a real kiosk's, over the simulated tray camera (rendered card faces).
// Built at the first scan: loading Tesseract's data takes most of a second, which a board that
// never scans (most QA scenarios, diagnostics of other things) should not pay.
class TrayScanner final : public hal::CardSurfaceScanner {
 public:
  TrayScanner(hal::Camera& tray, const hal::Clock& clock) : tray_(tray), clock_(clock) {}
  void scan_code_b(std::chrono::milliseconds timeout, const DigitsSink& sink) override { reader().scan_code_b(timeout, sink); }
  void scan_card_face(std::chrono::milliseconds timeout, const CardFaceSink& sink) override {
    reader().scan_card_face(timeout, sink);
  }

 private:
  hal::CardSurfaceScanner& reader() {
    if (!ocr_) ocr_ = std::make_unique<drivers::card_surface::OcrCardSurfaceScanner>(tray_, drivers::card_surface::ScannerConfig{}, &clock_);
    return *ocr_;
  }
  hal::Camera& tray_;
  const hal::Clock& clock_;
  std::unique_ptr<drivers::card_surface::OcrCardSurfaceScanner> ocr_;
};

// The same OCR document reader as a real kiosk's, over the tray camera; built at the first read
// (Tesseract's data again).
class TrayDocuments final : public hal::DocumentReader {
 public:
  TrayDocuments(hal::Camera& tray, const hal::Clock& clock) : tray_(tray), clock_(clock) {}
  void read_document(hal::DocumentKind expected, std::chrono::milliseconds timeout, const FieldsSink& sink) override {
    if (!ocr_) ocr_ = std::make_unique<drivers::card_surface::OcrDocumentReader>(tray_, drivers::card_surface::ScannerConfig{}, &clock_);
    ocr_->read_document(expected, timeout, sink);
  }

 private:
  hal::Camera& tray_;
  const hal::Clock& clock_;
  std::unique_ptr<drivers::card_surface::OcrDocumentReader> ocr_;
};

// The card files do not say which card generation they are: today's card is printed.
std::unique_ptr<hal::CardSurfaceScanner> tray_scanner(SimulatedBoard& s, const hal::Clock& clock, std::uint32_t seed) {
  camera::CardTrayCamera::Settings tray;
  tray.frame = cv::Size(1280, 960);
  tray.seed = seed;
  s.tray_camera = std::make_unique<camera::CardTrayCamera>(tray);
  s.tray = s.tray_camera.get();
  return std::make_unique<TrayScanner>(*s.tray, clock);
}

}  // namespace

SimulatedBoard simulated_board(const world::DemoWorld& world, const WorldFaults& faults,
                               const SimulatedBoardOptions& o) {
  SimulatedBoard s;
  cb::Board& b = s.board;
  b.kind = "simulated";
  b.terminal_id = o.terminal_id;

  // Time.
  if (o.virtual_time) {
    auto clock = std::make_unique<clock::VirtualClock>(std::chrono::system_clock::now());
    s.virtual_clock = clock.get();
    b.clock = std::move(clock);
  } else {
    b.clock = std::make_unique<drivers::system::SystemClock>();
  }

  // The reader and where cards are placed.
  if (o.pcsc) {
    auto readers = std::make_unique<drivers::pcsc::PcscReaderService>();
    s.field = std::make_unique<world::PcscCardField>(*o.pcsc);
    b.reader = o.pcsc->reader;
    b.readers = std::move(readers);
  } else {
    auto readers = std::make_unique<card::SimulatedReaders>();
    readers->attach_reader(kSimulatedReader);
    s.field = std::make_unique<world::InProcessCardField>(*readers, kSimulatedReader);
    b.reader = kSimulatedReader;
    b.readers = std::move(readers);
  }

  // The camera in front of the kiosk, and the card-surface scanner.
  std::function<void()> on_frame;
  if (s.virtual_clock != nullptr) {
    bool first = true;
    on_frame = [clock = s.virtual_clock, timing = o.timing, first]() mutable {
      if (first) clock->advance(timing.camera_exposure);
      first = false;
      clock->advance(std::chrono::microseconds(static_cast<long long>(1e6 / timing.camera_fps)));
    };
  }
  auto cameras = std::make_unique<world::PatientCameraProvider>(
      o.camera_pacing.value_or(o.virtual_time ? camera::Pacing::Simulated : camera::Pacing::RealTime), std::move(on_frame), o.seed);
  s.camera = &cameras->camera();
  s.camera->set_condition(faults.camera);
  b.face_camera = hal::CameraDevice::path("simulated kiosk camera");
  b.cameras = std::move(cameras);
  b.scanner = tray_scanner(s, *b.clock, o.seed);
  b.documents = std::make_unique<TrayDocuments>(*s.tray, *b.clock);

  auto usb = std::make_unique<usb::SimulatedUsb>();
  for (const auto& device : usb::SimulatedUsb::standard_kiosk()) usb->plug(device);
  usb->wait_for_changes(std::chrono::milliseconds(0));  // the plugging above is not news
  s.usb = usb.get();
  b.usb = std::move(usb);
  // The simulated kiosk is not supervised: the same driver, which says nothing without systemd.
  b.service_manager = std::make_unique<drivers::system::SystemdServiceManager>();

  // Trust, the terminal and the national service.
  auto trust = std::make_unique<core::crypto::TrustStore>();
  trust->add_directory(world.ca_dir);
  b.trust = std::move(trust);
  b.certificate_policy = {3, 3, false};
  // The J-LIS keys of the card-face records, which the world's CA writes next to its CRLs.
  try {
    b.card_face_anchors = std::make_unique<core::genuine_card::CardFaceTrustAnchors>(
        core::genuine_card::CardFaceTrustAnchors::load(world.ca_dir / core::genuine_card::CardFaceTrustAnchors::kFileName));
  } catch (const std::exception& e) {
    cb::note(b, "card-face anchors (face authentication is not offered)", e.what());
  }

  const auto fixture = eligibility::Fixture::load(world.fixture);
  auto service_options = eligibility::options_for_directory(world.service_dir, fixture);
  if (!o.fresh_service_database.empty()) {
    service_options.database = o.fresh_service_database;
    if (o.fresh_service_database != ":memory:") {
      const std::filesystem::path file = o.fresh_service_database;
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
      std::filesystem::create_directories(file.parent_path());
    }
  }
  if (o.service_log) service_options.log = [](const std::string& line) { std::cerr << "[service] " << line << "\n"; };
  s.service = std::make_unique<eligibility::SimulatedEligibilityService>(std::move(service_options), fixture);
  s.service->start();
  drivers::https::HttpsTransportConfig good;
  good.host = "127.0.0.1";
  good.port = s.service->port();
  good.ca_certificate = world.service_dir / "service-ca.pem";
  good.client_certificate = world.service_dir / "terminal.pem";
  good.client_key = world.service_dir / "terminal.key";
  drivers::https::HttpsTransportConfig wrong = good;
  wrong.ca_certificate = world.other_service_dir.empty() ? good.ca_certificate : world.other_service_dir / "service-ca.pem";
  auto line = std::make_unique<ServiceLine>(good, wrong, s.virtual_clock, o.timing.service_latency);
  s.line = line.get();
  auto probe_tls = good;
  probe_tls.keep_alive = false;
  b.service_probe = std::make_unique<ServiceLineProbe>(*line, probe_tls);
  b.eligibility = std::move(line);
  s.set_service_faults(faults);
  b.terminal = std::make_unique<drivers::https::TerminalKeySigner>(drivers::https::TerminalKeySigner::from_pem_file(good.client_key));

  // Storage.
  if (o.journal) {
    const auto dir = o.work_dir.empty() ? world.dir : o.work_dir;
    const auto outbox = o.work_dir.empty() ? world.outbox : o.work_dir / "outbox";
    std::filesystem::create_directories(outbox);
    b.results = std::make_unique<core::eligibility::ResultFileWriter>(outbox);
    b.journal = std::make_unique<core::journal::Journal>(
        core::journal::Journal::open(o.work_dir.empty() ? world.journal : o.work_dir / "journal.sqlite", o.terminal_id));
  }

  // The face models.
  if (!o.face) {
    cb::note(b, "face authentication", "switched off (--no-face)");
  } else {
    try {
      core::face::FaceConfig config;
      config.model_dir = o.faces_dir;
      config.recognizer.cohort = o.score_cohort;
      b.face = std::make_unique<core::face::FaceVerifier>(config);
    } catch (const std::exception& e) {
      cb::note(b, "face authentication is off", e.what());
    }
  }
  return s;
}

}  // namespace kiosk::sim::board
