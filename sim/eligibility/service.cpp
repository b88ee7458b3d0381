// The simulated national eligibility service: the HTTPS server, the routing of each endpoint
// (one file each: *_endpoint.cpp) through one dispatch that injects the configured faults,
// answers every refusal as a structured error, writes the audit entry and logs the request.
#include "sim/eligibility/service.hpp"

#include <httplib.h>

#include <algorithm>
#include <thread>

#include "drivers/https/guarded_server.hpp"
#include "sim/eligibility/service_core.hpp"
#include "sim/eligibility/service_tls.hpp"

namespace kiosk::sim::eligibility {

using std::chrono::milliseconds;

ServiceCore::ServiceCore(ServiceOptions o, const Fixture& fixture)
    : options(std::move(o)),
      db(options.database),
      verifier(options.jpki_ca_certificates),
      card_face_checker(options.card_face_anchors),
      sessions(options.nonce_lifetime, options.session_lifetime, options.max_outstanding_challenges,
               options.max_sessions_per_terminal) {
  if (!options.clock) options.clock = [] { return std::chrono::system_clock::now(); };
  db.load(fixture);
  for (const auto& crl : options.crl_files) db.add_revocations(verifier.read_crl(crl));
}

struct SimulatedEligibilityService::Impl {
  Impl(ServiceOptions o, const Fixture& fixture) : core(std::move(o), fixture) {}

  ServiceCore core;
  std::unique_ptr<drivers::https::GuardedServer> server;
  std::thread thread;
  int port = -1;
  std::string tls_error;
  std::mutex faults_mutex;
  Faults faults;

  void dispatch(const httplib::Request& req, httplib::Response& res, Handler handler) {
    const auto started = std::chrono::steady_clock::now();
    ++core.requests;
    Faults f;
    {
      std::lock_guard lock(faults_mutex);
      f = faults;
    }
    const bool faulted = f.only_path.empty() || f.only_path == req.path;
    if (faulted && f.delay.count() > 0) std::this_thread::sleep_for(f.delay);
    if (faulted && f.reply != Faults::Reply::Normal) {
      answer_fault(f.reply, res);
      log_line(req, res.status, started, "(fault injected)");
      return;
    }
    AuditEntry audit;
    std::string who;
    try {
      const Terminal terminal = terminal_of(req);
      who = terminal.subject;
      audit.terminal = terminal.subject;
      audit.medical_institution_code = terminal.medical_institution_code;
      const TimePoint at = core.now();
      audit.at = at;
      const Reply reply = handler(core, req, terminal, at, audit);
      res.status = reply.status;
      res.set_content(reply.body, kJsonType);
      if (!audit.operation.empty() && audit.outcome.empty()) audit.outcome = "ok";
    } catch (const ApiError& e) {
      ++core.refusals;
      res.status = e.status;
      res.set_content(error_body(e), kJsonType);
      audit.outcome = "refused";
      audit.code = e.code;
      audit.detail = e.detail;
    } catch (const std::exception& e) {
      res.status = 500;
      res.set_content(error_body({500, "INTERNAL", "システムエラーが発生しました。受付窓口にお申し出ください。", true, ""}), kJsonType);
      audit.outcome = "error";
      audit.code = "INTERNAL";
      audit.detail = e.what();
      log_line(req, 500, started, std::string("internal error: ") + e.what());
    }
    if (!audit.operation.empty()) {
      try {
        if (audit.at == TimePoint{}) audit.at = core.now();
        std::lock_guard lock(core.db_mutex);
        core.db.audit(audit);
      } catch (const std::exception& e) {
        log_line(req, res.status, started, std::string("cannot write the audit entry: ") + e.what());
      }
    }
    log_line(req, res.status, started, who);
  }

  void answer_fault(Faults::Reply reply, httplib::Response& res) const {
    switch (reply) {
      case Faults::Reply::MalformedJson:
        res.status = 200;
        res.set_content("{\"api_version\": 1, \"result\": {\"MessageHeader\": ", kJsonType);
        return;
      case Faults::Reply::WrongContentType:
        res.status = 200;
        res.set_content("<html><body>maintenance</body></html>", "text/html");
        return;
      case Faults::Reply::WrongVersion:
        res.status = 200;
        res.set_content(R"({"api_version": 99, "status": "ok"})", kJsonType);
        return;
      case Faults::Reply::InternalError:
        res.status = 500;
        res.set_content(error_body({500, "INTERNAL", "システムエラーが発生しました。", true, "fault injected"}), kJsonType);
        return;
      case Faults::Reply::Unavailable:
        res.status = 503;
        res.set_content(error_body({503, "UNAVAILABLE", "ただいまメンテナンス中です。", true, "fault injected"}), kJsonType);
        return;
      case Faults::Reply::Normal:
        return;
    }
  }

  void log_line(const httplib::Request& req, int status, std::chrono::steady_clock::time_point started,
                const std::string& note) const {
    if (!core.options.log) return;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
    core.options.log(req.method + " " + req.path + " " + std::to_string(status) + " " + std::to_string(micros) + "us " + note);
  }
};

SimulatedEligibilityService::SimulatedEligibilityService(ServiceOptions options, const Fixture& fixture)
    : impl_(std::make_unique<Impl>(std::move(options), fixture)) {}

SimulatedEligibilityService::~SimulatedEligibilityService() { stop(); }

void SimulatedEligibilityService::start() {
  Impl& i = *impl_;
  if (i.server) throw ServiceError("the service is already started");
  // The kiosk's own guarded server (drivers/https): a stalled TLS handshake or a request trickled
  // in byte by byte is cut at io_timeout instead of holding a worker; connections beyond the
  // workers wait (up to 256), then are closed.
  drivers::https::ConnectionLimits limits;
  limits.workers = std::max<std::size_t>(2, i.core.options.worker_threads);
  limits.waiting = 256;
  limits.tls_handshake = i.core.options.io_timeout;
  limits.request_read = i.core.options.io_timeout;
  auto server = std::make_unique<drivers::https::GuardedServer>(
      std::move(limits), [&i](SSL_CTX& ctx) { return setup_server_tls(ctx, i.core.options.tls, i.tls_error); });
  if (!server->is_valid()) throw ServiceError("cannot set up TLS: " + i.tls_error);
  auto route = [&i](Handler h) {
    return [&i, h](const httplib::Request& req, httplib::Response& res) { i.dispatch(req, res, h); };
  };
  server->Get("/v1/health", route(&health));
  server->Post("/v1/challenges", route(&challenge));
  server->Post("/v1/confirmations", route(&confirm));
  server->Post("/v1/registrations", route(&registration));
  server->Post("/v1/consents", route(&consent));
  server->Post("/v1/lookups", route(&lookup));
  server->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty()) {
      const bool other_version = req.path.rfind("/v", 0) == 0 && req.path.rfind("/v1/", 0) != 0;
      res.set_content(error_body({404, other_version ? "UNSUPPORTED_VERSION" : "BAD_REQUEST",
                                  "要求の形式が正しくありません。受付窓口にお申し出ください。", false,
                                  "no such endpoint: " + req.method + " " + req.path}),
                      kJsonType);
    }
  });
  // Small JSON answers written in pieces: without TCP_NODELAY, Nagle and delayed ACKs add ~40 ms.
  server->set_tcp_nodelay(true);
  server->set_keep_alive_max_count(i.core.options.keep_alive_max_requests);
  server->set_keep_alive_timeout(i.core.options.keep_alive_timeout.count());
  server->set_read_timeout(i.core.options.io_timeout.count(), 0);
  server->set_write_timeout(i.core.options.io_timeout.count(), 0);
  server->set_payload_max_length(kMaxBody);
  // httplib reads a chunked body whole, past the payload limit: such a request is answered 411
  // before its body is read (the pre-routing handler runs first). Clients send a Content-Length.
  server->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Transfer-Encoding")) return httplib::Server::HandlerResponse::Unhandled;
    res.status = 411;
    res.set_header("Connection", "close");
    res.set_content(error_body({411, "BAD_REQUEST", "要求の形式が正しくありません。受付窓口にお申し出ください。", false,
                                "chunked request bodies are not accepted: send a Content-Length"}),
                    kJsonType);
    return httplib::Server::HandlerResponse::Handled;
  });
  if (i.core.options.port == 0) {
    i.port = server->bind_to_any_port(i.core.options.host);
  } else {
    i.port = server->bind_to_port(i.core.options.host, i.core.options.port) ? i.core.options.port : -1;
  }
  if (i.port <= 0) {
    throw ServiceError("cannot listen on " + i.core.options.host + ":" + std::to_string(i.core.options.port) + " (in use?)");
  }
  i.server = std::move(server);
  i.thread = std::thread([&i] { i.server->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  while (!i.server->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      stop();
      throw ServiceError("the server did not start listening");
    }
    std::this_thread::sleep_for(milliseconds{2});
  }
}

void SimulatedEligibilityService::stop() {
  Impl& i = *impl_;
  if (!i.server) return;
  i.server->stop();
  if (i.thread.joinable()) i.thread.join();
  i.server.reset();
}

bool SimulatedEligibilityService::running() const { return impl_->server && impl_->server->is_running(); }

int SimulatedEligibilityService::port() const { return impl_->port; }

std::string SimulatedEligibilityService::url() const {
  return "https://" + impl_->core.options.host + ":" + std::to_string(impl_->port);
}

void SimulatedEligibilityService::set_faults(const Faults& faults) {
  std::lock_guard lock(impl_->faults_mutex);
  impl_->faults = faults;
}

std::vector<AuditEntry> SimulatedEligibilityService::audit_tail(std::size_t count) {
  std::lock_guard lock(impl_->core.db_mutex);
  return impl_->core.db.audit_tail(count);
}

SimulatedEligibilityService::Counters SimulatedEligibilityService::counters() const {
  return {impl_->core.requests.load(), impl_->core.confirmations.load(), impl_->core.refusals.load()};
}

}  // namespace kiosk::sim::eligibility
