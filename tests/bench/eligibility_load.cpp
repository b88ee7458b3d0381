// Load generator for the simulated eligibility service over mutual TLS with keep-alive on
// loopback: client threads, each with its own connection (the kiosk's HTTPS transport and client),
// against the in-process service (SQLite file database in WAL mode, audit row per confirmation).
// Bounded by a count and a time; stops by itself. Prints confirmations/s and latencies.
//
//   eligibility_load [--threads N] [--count N] [--seconds S] [--memory-db] [--phases ABC]
//
// Phases (each with the same count and time bound):
//   A  PIN confirmations, nonces fetched and signed beforehand: the service's confirmation
//      throughput (TLS, JSON, nonce, certificate parse + chain + revocation + dates, RSA verify
//      of the card signature, SQLite look-ups, audit insert, OQS result), every certificate
//      parsed as if new to the service
//   A+ the same against a service with its certificate cache (the one test card, parsed once)
//   B  PIN confirmations end to end: challenge, RSA-2048 card signature made by the load
//      generator (on a kiosk the card makes it, ~0.5 s), confirmation
//   C  face confirmations end to end: challenge, ECDSA attestation by the terminal key, confirmation
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/crypto/digest.hpp"
#include "core/eligibility/client.hpp"
#include "drivers/https/https_client_transport.hpp"
#include "drivers/https/terminal_key_signer.hpp"
#include "sim/ca/card_face_ca.hpp"
#include "sim/ca/rsa_key.hpp"
#include "sim/card/card_face_record.hpp"
#include "sim/eligibility/database.hpp"
#include "sim/eligibility/encoding.hpp"
#include "sim/eligibility/jpki_verifier.hpp"
#include "sim/eligibility/oqs_json.hpp"
#include "sim/eligibility/service.hpp"
#include "tests/support/test_cards.hpp"

using namespace kiosk;
namespace elig = kiosk::sim::eligibility;
using Clock = std::chrono::steady_clock;
using std::chrono::duration;

namespace {

struct Options {
  int threads = 4;
  int count = 6000;
  double seconds = 20;
  bool memory_db = false;
  std::string phases = "ABC";
};

class SteadyClock final : public hal::Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point monotonic() const override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d) override { std::this_thread::sleep_for(d); }
};

double cpu_seconds(int who = RUSAGE_SELF) {
  rusage u{};
  getrusage(who, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct PhaseResult {
  std::vector<double> latencies_ms;  // per confirmation (the timed part)
  int errors = 0;
  std::string first_error;
  double wall_s = 0;
  double cpu_s = 0;         // the whole process: service and load generator
  double client_cpu_s = 0;  // the load generator's threads (the rest is the service)
};

void report(const char* name, PhaseResult r, int threads) {
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  const auto pct = [&](double p) {
    if (r.latencies_ms.empty()) return 0.0;
    const auto i = static_cast<std::size_t>(p * static_cast<double>(r.latencies_ms.size() - 1));
    return r.latencies_ms[i];
  };
  const double rate = r.wall_s > 0 ? static_cast<double>(r.latencies_ms.size()) / r.wall_s : 0;
  const double n = static_cast<double>(std::max<std::size_t>(1, r.latencies_ms.size()));
  const double service_us = 1e6 * (r.cpu_s - r.client_cpu_s) / n;
  std::printf("%-58s %6zu ok %3d err %6.0f/s  p50 %5.2f ms  p99 %5.2f ms  max %6.2f ms\n", name, r.latencies_ms.size(),
              r.errors, rate, pct(0.50), pct(0.99), r.latencies_ms.empty() ? 0.0 : r.latencies_ms.back());
  std::printf("    CPU %.2f cores busy (of %d client threads + service); per confirmation: service %.0f us, load generator %.0f us"
              " -> the service alone would do ~%.0f/s per core\n",
              r.wall_s > 0 ? r.cpu_s / r.wall_s : 0.0, threads, service_us, 1e6 * r.client_cpu_s / n,
              service_us > 0 ? 1e6 / service_us : 0.0);
  if (r.errors > 0) std::printf("    first error: %s\n", r.first_error.c_str());
}

// Runs `work(thread, index)` on `threads` threads until `count` confirmations are done or the time
// is up; `work` returns the latency of its timed part in ms (or throws).
template <typename Work>
PhaseResult run_phase(const Options& o, Work work) {
  PhaseResult result;
  std::mutex mutex;
  std::atomic<int> next{0};
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(duration<double>(o.seconds));
  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < o.threads; ++t) {
    pool.emplace_back([&, t] {
      const double thread_cpu_start = cpu_seconds(RUSAGE_THREAD);
      std::vector<double> mine;
      int errors = 0;
      std::string first;
      for (;;) {
        const int i = next.fetch_add(1);
        if (i >= o.count || Clock::now() > deadline) break;
        try {
          mine.push_back(work(t, i));
        } catch (const std::exception& e) {
          if (errors++ == 0) first = e.what();
        }
      }
      const double thread_cpu = cpu_seconds(RUSAGE_THREAD) - thread_cpu_start;
      std::lock_guard lock(mutex);
      result.client_cpu_s += thread_cpu;
      result.latencies_ms.insert(result.latencies_ms.end(), mine.begin(), mine.end());
      result.errors += errors;
      if (result.first_error.empty()) result.first_error = first;
    });
  }
  for (auto& th : pool) th.join();
  result.wall_s = duration<double>(Clock::now() - start).count();
  result.cpu_s = cpu_seconds() - cpu_start;
  return result;
}

double ms_since(Clock::time_point t) { return duration<double, std::milli>(Clock::now() - t).count(); }

// The service's steps for one PIN confirmation, each timed alone on one thread (what the
// service's CPU per confirmation is made of; the rest is TLS, HTTP and the kernel).
double print_breakdown(const sim::card::CardProfile& card, const sim::ca::RsaKey& key, const std::string& fixture,
                       const std::filesystem::path& dir) {
  constexpr int kRounds = 1000;
  double total = 0;
  auto step = [&](const char* name, auto f) {
    f();  // warm-up
    const auto start = Clock::now();
    for (int i = 0; i < kRounds; ++i) f();
    const double us = duration<double, std::micro>(Clock::now() - start).count() / kRounds;
    total += us;
    std::printf("    %-52s %7.1f us\n", name, us);
  };
  const Bytes& der = card.auth.certificate;
  const Bytes nonce(32, 0x5A);
  const Bytes signature = key.sign_pkcs1_raw(core::crypto::sha256_digest_info(core::crypto::sha256(nonce)));
  const std::string body = R"({"api_version":1,"method":"pin","card_certificate":")" + elig::base64_encode(der) +
                           R"(","nonce":")" + elig::base64_encode(nonce) + R"(","card_signature":")" +
                           elig::base64_encode(signature) + R"("})";
  const elig::JpkiVerifier verifier({test::test_ca_directory() / "auth-ca.pem"});
  elig::EligibilityDatabase db((dir / "breakdown.sqlite3").string());
  db.load(elig::Fixture::parse(fixture, dir));
  const auto cert = elig::parse_certificate_der(der);
  const std::string sha = elig::sha256_hex(der);
  const auto now = std::chrono::system_clock::now();
  const auto person = *db.person(*db.card_by_certificate(sha)->person_id);
  const auto qualifications = db.qualifications_of(person.id);
  std::printf("  where the service's time goes (each step alone, %d rounds):\n", kRounds);
  std::size_t sink = 0;  // results are used, so that no step is optimised away
  step("JSON parse of the request", [&] { sink += nlohmann::json::parse(body).size(); });
  step("base64 decode (certificate, nonce, signature)", [&] {
    sink += elig::base64_decode(elig::base64_encode(der))->size();
    sink += elig::base64_decode(elig::base64_encode(signature))->size();
  });
  step("X.509 parse of the card certificate (d2i_X509)", [&] { sink += elig::parse_certificate_der(der) ? 1U : 0U; });
  step("certificate facts (SHA-256, names, serial, dates)", [&] { sink += elig::describe(cert.get(), der).subject.size(); });
  step("chain to the JPKI CA (X509_verify_cert, RSA verify)", [&] { sink += verifier.check_chain(cert.get()).trusted ? 1U : 0U; });
  step("card signature over the nonce (RSA-2048 verify)", [&] { sink += elig::verify_card_signature(cert.get(), nonce, signature) ? 1U : 0U; });
  step("SQLite look-ups (revocation, card, person, qualifications, consent)", [&] {
    sink += db.revocation(elig::describe(cert.get(), der).issuer, "1") ? 1U : 0U;
    const auto c = db.card_by_certificate(sha);
    const auto p = db.person(*c->person_id);
    sink += db.qualifications_of(p->id).size();
    sink += db.current_consent(p->id, "1312345678", now) ? 1U : 0U;
  });
  elig::AuditEntry entry{0, now, "CN=kiosk-01,OU=1312345678,O=Simulated clinic,C=JP", "1312345678", "confirm", "pin", sha, "taro",
                         "ok", "", "validity 1"};
  step("SQLite audit insert (WAL, synchronous=NORMAL)", [&] { db.audit(entry); });
  step("rules + OQS result JSON + serialisation", [&] {
    const auto e = elig::evaluate_card_path(qualifications, elig::japan_date(now));
    elig::ResultContext c;
    c.now = now;
    c.medical_institution_code = "1312345678";
    std::vector<elig::Shown> shown;
    for (const auto& q : e.shown) shown.push_back({&person, &q});
    sink += elig::oqs_result(e, shown, c).dump().size();
  });
  std::printf("    %-52s %7.1f us%s\n", "sum of the steps", total, sink == 0 ? " (nothing computed?)" : "");
  return total;
}

}  // namespace

int run(int argc, char** argv);

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eligibility_load: %s\n", e.what());
    return 2;
  }
}

int run(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&] {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return std::string(argv[++i]);
    };
    if (a == "--threads") o.threads = std::max(1, std::stoi(value()));
    else if (a == "--count") o.count = std::max(1, std::stoi(value()));
    else if (a == "--seconds") o.seconds = std::stod(value());
    else if (a == "--memory-db") o.memory_db = true;
    else if (a == "--phases") o.phases = value();
    else {
      std::fprintf(stderr, "usage: eligibility_load [--threads N] [--count N] [--seconds S] [--memory-db] [--phases ABC]\n");
      return 2;
    }
  }

  // The world: the test CA and one card, the service's PKI, one insured person.
  const sim::card::CardProfile card = test::test_card_profile();
  const sim::ca::RsaKey card_key = sim::ca::RsaKey::from_pem(card.auth.private_key_pem);
  test::TempDir dir;
  const auto now = std::chrono::system_clock::now();
  const elig::ServiceDirectory pki = elig::init_service_directory(dir.path() / "service", "1312345678", now);
  const std::string fixture = R"({"format":"kiosk-eligibility-fixture","version":1,"people":[{"id":"taro","name":"番号　太郎",)"
                              R"("sex":"1","birth_date":"1980-02-17","registered_for_insurance_use":"2024-05-01","cards":[{"certificate_sha256":")" +
                              elig::sha256_hex(card.auth.certificate) +
                              R"("}],"qualifications":[{"id":"q1","insurer_number":"01130012","symbol":"1","number":"1001","branch":"00",)"
                              R"("qualification_date":"2020-04-01"}]}]})";
  SteadyClock clock;
  core::eligibility::ClientOptions client_options;
  client_options.max_confirm_rounds = 1;
  // A service and one client (own keep-alive connection) per thread.
  struct Rig {
    std::unique_ptr<elig::SimulatedEligibilityService> service;
    std::vector<std::unique_ptr<drivers::https::HttpsClientTransport>> transports;
    std::vector<std::unique_ptr<core::eligibility::EligibilityClient>> clients;
  };
  auto make_rig = [&](const std::string& name, std::size_t certificate_cache) {
    elig::ServiceOptions options;
    options.tls = {pki.server_certificate, pki.server_key, pki.service_ca};
    options.jpki_ca_certificates = {test::test_ca_directory() / "auth-ca.pem"};
    options.card_face_anchors = test::test_ca_directory() / sim::ca::SimulatedCardFaceCa::kAnchorsFile;
    options.database = o.memory_db ? std::string(":memory:") : (dir.path() / (name + ".sqlite3")).string();
    options.worker_threads = static_cast<std::size_t>(o.threads) + 4;
    options.max_outstanding_challenges = static_cast<std::size_t>(o.count) * 3 + 100;
    options.nonce_lifetime = std::chrono::seconds{600};
    options.certificate_cache_size = certificate_cache;
    Rig rig;
    rig.service = std::make_unique<elig::SimulatedEligibilityService>(options, elig::Fixture::parse(fixture, dir.path()));
    rig.service->start();
    drivers::https::HttpsTransportConfig config;
    config.host = "127.0.0.1";
    config.port = rig.service->port();
    config.ca_certificate = pki.service_ca;
    config.client_certificate = pki.terminal_certificate;
    config.client_key = pki.terminal_key;
    for (int t = 0; t < o.threads; ++t) {
      rig.transports.push_back(std::make_unique<drivers::https::HttpsClientTransport>(config));
      rig.clients.push_back(std::make_unique<core::eligibility::EligibilityClient>(*rig.transports.back(), clock, client_options));
      rig.clients.back()->health();  // open the keep-alive connection
    }
    return rig;
  };
  // Every confirmation as if the card were new to the service (no certificate cache) ...
  Rig fresh = make_rig("fresh", 0);
  // ... and with the service's cache of parsed certificates (the same card again).
  Rig cached = make_rig("cached", 10000);
  auto& clients = fresh.clients;
  auto card_sign = [&](ByteView nonce) { return card_key.sign_pkcs1_raw(core::crypto::sha256_digest_info(core::crypto::sha256(nonce))); };

  std::printf("eligibility service load over mTLS (TLS 1.3, keep-alive) on 127.0.0.1: %d client threads, up to %d "
              "confirmations or %.0f s per phase, %s database, %u hardware threads\n",
              o.threads, o.count, o.seconds, o.memory_db ? "in-memory" : "WAL file", std::thread::hardware_concurrency());

  const bool run_a = o.phases.find('A') != std::string::npos;
  const bool run_b = o.phases.find('B') != std::string::npos;
  const bool run_c = o.phases.find('C') != std::string::npos;

  // Phase A: nonces fetched and signed first (untimed), then the confirmations alone.
  auto prepare = [&](Rig& rig) {
    std::vector<core::eligibility::codec::ConfirmRequest> prepared(static_cast<std::size_t>(o.count));
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    const auto prep_start = Clock::now();
    for (int t = 0; t < o.threads; ++t) {
      pool.emplace_back([&, t] {
        for (int i; (i = next.fetch_add(1)) < o.count;) {
          const auto challenge = rig.clients[static_cast<std::size_t>(t)]->issue_challenge();
          auto& r = prepared[static_cast<std::size_t>(i)];
          r.method = core::eligibility::ConfirmationMethod::Pin;
          r.card_certificate = card.auth.certificate;
          r.nonce = challenge.nonce;
          r.card_signature = card_sign(challenge.nonce);
        }
      });
    }
    for (auto& th : pool) th.join();
    std::printf("  (prepared %d challenges + card signatures in %.1f s)\n", o.count, duration<double>(Clock::now() - prep_start).count());
    return prepared;
  };
  auto presigned_phase = [&](Rig& rig) {
    const auto prepared = prepare(rig);
    return run_phase(o, [&](int t, int i) {
      const auto start = Clock::now();
      const auto c = rig.clients[static_cast<std::size_t>(t)]->confirm(prepared[static_cast<std::size_t>(i)]);
      if (!c.result || c.result->body.qualification_validity != core::eligibility::QualificationValidity::Valid) {
        throw std::runtime_error("unexpected answer");
      }
      return ms_since(start);
    });
  };
  PhaseResult a;
  PhaseResult a_cached;
  if (run_a) {
    a = presigned_phase(fresh);
    report("A  PIN confirmation, pre-signed, certificate parsed each time", a, o.threads);
    a_cached = presigned_phase(cached);
    report("A+ the same with the service's certificate cache (same card)", a_cached, o.threads);
  }

  PhaseResult b;
  if (run_b) b = run_phase(o, [&](int t, int) {
    const auto start = Clock::now();
    const auto c = clients[static_cast<std::size_t>(t)]->confirm_by_pin(card.auth.certificate, card_sign);
    if (!c.result) throw std::runtime_error("unexpected answer");
    return ms_since(start);
  });
  if (run_b) report("B  PIN end to end (challenge + RSA sign here + confirm)", b, o.threads);

  auto terminal_key = drivers::https::TerminalKeySigner::from_pem_file(pki.terminal_key);
  // The card's genuine-card proof, made here as the card would make it (its 券面AP key signs).
  const sim::ca::RsaKey face_key = sim::ca::RsaKey::from_pem(card.card_face->private_key_pem);
  const auto groups = sim::card::card_face_signed_groups(card);
  core::eligibility::FaceMatchEvidence face_match{0.8, 0.6, core::eligibility::Liveness::Passed, "bench", {}};
  face_match.card_photo_sha256 = elig::sha256_hex(groups[2]);  // hex of the SHA-256 of DF27 as written
  auto card_face_proof = [&](ByteView nonce) {
    core::eligibility::CardFaceProof p{card.card_face->certificate, groups[0], core::crypto::sha256(groups[1]),
                                       core::crypto::sha256(groups[2]), card.card_face->record_signature,
                                       core::crypto::random_bytes(16), {}};
    p.card_signature = face_key.sign_pkcs1_raw(core::crypto::sha256_digest_info(
        core::crypto::sha256(core::eligibility::card_face_signed_message(nonce, p.card_challenge, card.auth.certificate))));
    return p;
  };
  PhaseResult c;
  if (run_c) c = run_phase(o, [&](int t, int) {
    const auto start = Clock::now();
    const auto r = clients[static_cast<std::size_t>(t)]->confirm_by_face(card.auth.certificate, face_match, terminal_key,
                                                                         card_face_proof);
    if (!r.result) throw std::runtime_error("unexpected answer");
    return ms_since(start);
  });
  if (run_c) report("C  face end to end (challenge + ECDSA attestation + card-face proof, card key signs here + confirm)", c, o.threads);

  const double rate_a = a.wall_s > 0 ? static_cast<double>(a.latencies_ms.size()) / a.wall_s : 0;
  auto p99 = a.latencies_ms;
  std::sort(p99.begin(), p99.end());
  const double p99_a = p99.empty() ? 0 : p99[static_cast<std::size_t>(0.99 * static_cast<double>(p99.size() - 1))];
  if (run_a) {
    std::printf("target >= 2000 confirmations/s with p99 < 50 ms (phase A): %s (%.0f/s, p99 %.1f ms)\n",
                rate_a >= 2000 && p99_a < 50 ? "met" : "NOT met", rate_a, p99_a);
  }
  if (run_a) {
    const double steps = print_breakdown(card, card_key, fixture, dir.path());
    const double measured = a.latencies_ms.empty() ? 0 : 1e6 * (a.cpu_s - a.client_cpu_s) / static_cast<double>(a.latencies_ms.size());
    std::printf("    %-52s %7.1f us\n", "rest: TLS records, HTTP, threads, kernel (measured - sum)", measured - steps);
  }
  const auto counters = fresh.service->counters();
  std::printf("service (phases A, B, C): %llu requests, %llu answered, %llu refused\n",
              static_cast<unsigned long long>(counters.requests), static_cast<unsigned long long>(counters.confirmations),
              static_cast<unsigned long long>(counters.refusals));
  fresh.service->stop();
  cached.service->stop();
  return a.errors + a_cached.errors + b.errors + c.errors == 0 ? 0 : 1;
}
