#pragma once
// A blocking HTTPS client on plain OpenSSL for tests of leadsync's own TLS listener: it verifies the server
// against a test CA (as HubSpot verifies leadsync's certificate) and reports whether the server closed with
// close_notify. No Beast here (cheap to compile). Every call is bounded by a 5 s socket timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace leadsync::testing {

class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::filesystem::path& ca_file, const std::string& host = "localhost") {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    if (SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) return;
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return;
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, fd_);
    SSL_set_tlsext_host_name(ssl_, host.c_str());
    SSL_set1_host(ssl_, host.c_str());
    handshake_ok_ = SSL_connect(ssl_) == 1;
    if (!handshake_ok_) ERR_clear_error();
  }
  ~TlsClient() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
    SSL_CTX_free(ctx_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool handshake_ok() const { return handshake_ok_; }
  // The verified server certificate's chain was accepted (X509_V_OK) during the handshake.
  bool verified() const { return ssl_ && SSL_get_verify_result(ssl_) == X509_V_OK; }

  // Sends raw HTTP/1.1 text and reads one response head (the receiver's answers have no body). Returns the
  // status code, 0 when the connection ended first.
  int exchange(const std::string& request) {
    if (!handshake_ok_) return 0;
    if (SSL_write(ssl_, request.data(), static_cast<int>(request.size())) <= 0) return 0;
    std::string got;
    while (got.find("\r\n\r\n") == std::string::npos) {
      char buf[512];
      const int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        note_end(n);
        return 0;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
    last_head_ = got;
    return got.size() >= 12 && got.starts_with("HTTP/1.1 ") ? std::stoi(got.substr(9, 3)) : 0;
  }

  // Reads until the connection ends; true when it ended with the server's close_notify (a clean TLS close)
  // rather than a bare TCP close.
  bool closed_cleanly() {
    if (!handshake_ok_) return false;
    char buf[256];
    int n = 0;
    while ((n = SSL_read(ssl_, buf, sizeof buf)) > 0) {
    }
    note_end(n);
    return clean_close_;
  }

  const std::string& last_head() const { return last_head_; }

 private:
  void note_end(int n) {
    clean_close_ = SSL_get_error(ssl_, n) == SSL_ERROR_ZERO_RETURN;
    ERR_clear_error();
  }

  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  int fd_ = -1;
  bool handshake_ok_ = false;
  bool clean_close_ = false;
  std::string last_head_;
};

// One signed webhook POST as HubSpot sends it.
inline std::string webhook_request(const std::string& body, const std::string& ts,
                                   const std::string& signature, bool close,
                                   const std::string& path = "/hubspot/webhooks") {
  return "POST " + path +
         " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "X-HubSpot-Request-Timestamp: " +
         ts + "\r\nX-HubSpot-Signature-v3: " + signature +
         "\r\nContent-Length: " + std::to_string(body.size()) + (close ? "\r\nConnection: close" : "") +
         "\r\n\r\n" + body;
}

}  // namespace leadsync::testing
