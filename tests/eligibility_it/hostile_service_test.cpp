// A hostile or broken server behind the pinned CA, or a server that is not the eligibility
// service at all (issue 18, security 6 and reliability 2): the kiosk's HTTPS transport and
// client against a raw TLS server of this test that answers whatever the test says.
//   - a server from another CA is dropped during the handshake: it never sees this terminal's
//     certificate;
//   - an answer larger than the kiosk takes is cut off (no 300 MB in memory);
//   - an answer trickled a byte at a time ends at the request's deadline, not per read;
//   - a deeply nested JSON answer is refused, not a crash.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "sim/eligibility/service_pki.hpp"
#include "tests/eligibility_it/world.hpp"

using namespace kiosk;
using namespace kiosk::core::eligibility;
using namespace kiosk::test::it;
namespace elig = kiosk::sim::eligibility;
using namespace std::chrono_literals;

namespace {

// One TLS server on 127.0.0.1 serving connections one after the other: asks for a client
// certificate (and notes whether one came), then hands the connection to `serve`.
class RawTlsServer {
 public:
  using Serve = std::function<void(SSL*)>;

  RawTlsServer(const std::filesystem::path& certificate, const std::filesystem::path& key, Serve serve)
      : serve_(std::move(serve)) {
    ctx_ = SSL_CTX_new(TLS_server_method());
    REQUIRE(ctx_ != nullptr);
    REQUIRE(SSL_CTX_use_certificate_chain_file(ctx_, certificate.c_str()) == 1);
    REQUIRE(SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM) == 1);
    // Take any client certificate: the test wants to know whether the kiosk sent one.
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    REQUIRE(::listen(listener_, 8) == 0);
    thread_ = std::thread([this] { run(); });
  }
  ~RawTlsServer() {
    stopping_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
    SSL_CTX_free(ctx_);
  }
  RawTlsServer(const RawTlsServer&) = delete;
  RawTlsServer& operator=(const RawTlsServer&) = delete;

  int port() const { return port_; }
  int handshakes() const { return handshakes_; }
  int client_certificates_seen() const { return client_certificates_; }

 private:
  void run() {
    while (!stopping_) {
      const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      SSL* ssl = SSL_new(ctx_);
      SSL_set_fd(ssl, fd);
      if (SSL_accept(ssl) == 1) {
        ++handshakes_;
        if (X509* peer = SSL_get1_peer_certificate(ssl)) {
          ++client_certificates_;
          X509_free(peer);
        }
        serve_(ssl);
      } else {
        // TLS 1.3: the client's certificate arrives after SSL_accept's first flight; a client that
        // dropped the handshake never sends it.
      }
      SSL_shutdown(ssl);
      SSL_free(ssl);
      ::close(fd);
      ERR_clear_error();
    }
  }

  Serve serve_;
  SSL_CTX* ctx_ = nullptr;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> handshakes_{0};
  std::atomic<int> client_certificates_{0};
};

// Reads the request head (up to the blank line); the kiosk's GET has no body.
void read_request(SSL* ssl) {
  std::string head;
  char c = 0;
  while (head.size() < 16384 && SSL_read(ssl, &c, 1) == 1) {
    head.push_back(c);
    if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0) return;
  }
}

bool write_all(SSL* ssl, std::string_view data) {
  while (!data.empty()) {
    const int n = SSL_write(ssl, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 16)));
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string json_head(std::size_t length) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

hal::HttpRequest health_request(std::chrono::milliseconds timeout) { return {hal::HttpMethod::Get, "/v1/health", "", timeout}; }

}  // namespace

TEST_CASE("hostile service: a server from another CA is dropped during the handshake and never sees the terminal's certificate") {
  World world({});
  const auto now = std::chrono::system_clock::now();
  const auto rogue = elig::ServicePki::create(world.dir() / "rogue", now, "rogue-ca", "Rogue CA");
  const auto server = rogue.issue_server(world.dir() / "rogue", "server", now - 1h, now + 24h);
  RawTlsServer impostor(server.certificate, server.key, [](SSL* ssl) {
    read_request(ssl);
    const std::string body = R"({"service":"x","status":"ok","api_version":1})";
    write_all(ssl, json_head(body.size()) + body);
  });
  auto config = world.transport_config();
  config.port = impostor.port();
  drivers::https::HttpsClientTransport transport(config);
  try {
    transport.send(health_request(2s));
    FAIL("the kiosk talked to a server of another CA");
  } catch (const hal::TransportError& e) {
    INFO(e.what());
    CHECK(e.kind() == hal::TransportErrorKind::TlsServerUntrusted);
    CHECK_THAT(e.detail(), Catch::Contains("handshake stopped"));
  }
  CHECK(impostor.client_certificates_seen() == 0);
}

TEST_CASE("hostile service: the pinned server with a wrong name is dropped during the handshake") {
  World world({});
  auto config = world.transport_config();
  config.host = "localhost";  // the server certificate names localhost and 127.0.0.1
  {
    drivers::https::HttpsClientTransport transport(config);
    CHECK(transport.send(health_request(2s)).status == 200);
  }
  // "127.1" reaches 127.0.0.1 (inet_aton's short form) but is a name the certificate does not
  // hold (it names localhost and the address 127.0.0.1).
  config.host = "127.1";
  drivers::https::HttpsClientTransport transport(config);
  try {
    transport.send(health_request(2s));
    FAIL("no error");
  } catch (const hal::TransportError& e) {
    INFO(e.what());
    CHECK(e.kind() == hal::TransportErrorKind::TlsServerNameMismatch);
  }
}

TEST_CASE("hostile service: an answer larger than the kiosk takes is cut off, with or without a length") {
  World world({});
  const auto& pki = world.pki();
  std::atomic<bool> announce_length{true};
  RawTlsServer huge(pki.server_certificate, pki.server_key, [&](SSL* ssl) {
    read_request(ssl);
    const std::size_t size = 300u << 20;  // 300 MB
    const std::string head = announce_length ? json_head(size)
                                             : "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n";
    if (!write_all(ssl, head)) return;
    const std::string chunk(1 << 16, ' ');
    for (std::size_t sent = 0; sent < size; sent += chunk.size()) {
      if (!write_all(ssl, chunk)) return;  // the kiosk hung up
    }
  });
  auto config = world.transport_config();
  config.port = huge.port();
  config.max_response_bytes = 1 << 20;
  drivers::https::HttpsClientTransport transport(config);
  for (const bool with_length : {true, false}) {
    INFO("Content-Length given: " << with_length);
    announce_length = with_length;
    const auto started = std::chrono::steady_clock::now();
    try {
      transport.send(health_request(20s));
      FAIL("a 300 MB answer was taken");
    } catch (const hal::TransportError& e) {
      INFO(e.what());
      CHECK(e.kind() == hal::TransportErrorKind::ResponseTooLarge);
      CHECK_FALSE(hal::is_transient(e.kind()));
    }
    CHECK(std::chrono::steady_clock::now() - started < 5s);
  }
  // Through the client: the patient goes to the counter, the journal learns why.
  RealClock clock;
  EligibilityClient client(transport, clock, quick_options());
  const EligibilityError e = error_of([&] { client.health(); });
  CHECK(e.kind() == ErrorKind::MalformedReply);
  CHECK(e.counter_fallback());
}

TEST_CASE("hostile service: an answer trickled a byte at a time ends at the request's deadline") {
  World world({});
  const auto& pki = world.pki();
  RawTlsServer trickle(pki.server_certificate, pki.server_key, [](SSL* ssl) {
    read_request(ssl);
    const std::string answer = json_head(4000) + std::string(4000, ' ');
    for (const char c : answer) {
      if (!write_all(ssl, std::string_view(&c, 1))) return;
      std::this_thread::sleep_for(200ms);  // each read is quick: a per-read time-out never fires
    }
  });
  auto config = world.transport_config();
  config.port = trickle.port();
  drivers::https::HttpsClientTransport transport(config);
  const auto started = std::chrono::steady_clock::now();
  try {
    transport.send(health_request(1500ms));
    FAIL("the trickled answer was taken");
  } catch (const hal::TransportError& e) {
    INFO(e.what());
    CHECK(e.kind() == hal::TransportErrorKind::Timeout);
    CHECK_THAT(e.detail(), Catch::Contains("the whole exchange"));
  }
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(waited >= 1400ms);
  CHECK(waited < 3s);
}

TEST_CASE("hostile service: a deeply nested answer is refused, not a crash") {
  World world({});
  const auto& pki = world.pki();
  const std::string nested = R"({"service":"x","status":"ok","api_version":)" + std::string(100000, '[') +
                             std::string(100000, ']') + "}";
  RawTlsServer deep(pki.server_certificate, pki.server_key, [&](SSL* ssl) {
    read_request(ssl);
    write_all(ssl, json_head(nested.size()) + nested);
  });
  auto config = world.transport_config();
  config.port = deep.port();
  drivers::https::HttpsClientTransport transport(config);
  RealClock clock;
  EligibilityClient client(transport, clock, quick_options());
  const EligibilityError e = error_of([&] { client.health(); });
  CHECK(e.kind() == ErrorKind::MalformedReply);
  CHECK_THAT(e.detail(), Catch::Contains("nested deeper than"));
}
