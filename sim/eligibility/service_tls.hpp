// The simulated service's side of mutual TLS: the server context (TLS 1.2 or newer, the
// server's certificate and key, terminal certificates required and checked against the terminal
// CA) and the terminal a request comes from (its client certificate, which must carry the
// 10-digit medical institution code).
#pragma once

#include <httplib.h>
#include <openssl/ssl.h>

#include <string>

#include "sim/eligibility/service.hpp"
#include "sim/eligibility/service_api.hpp"

namespace kiosk::sim::eligibility {

// Sets `ctx` up; false with `error` set when a file cannot be used.
bool setup_server_tls(SSL_CTX& ctx, const TlsFiles& files, std::string& error);

// The terminal of a request; throws ApiError TERMINAL_NOT_AUTHORIZED without a usable certificate.
Terminal terminal_of(const httplib::Request& req);

}  // namespace kiosk::sim::eligibility
