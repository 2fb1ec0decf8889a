#pragma once
// A throwaway PKI for the transport's TLS tests, generated with the OpenSSL 3 API: a self-signed CA and a
// leaf certificate (EC P-256, SHA-256) with the given DNS and IP subjectAltNames, written as PEM files to a
// fresh temporary directory that is removed with the object. The leaf can be made outside its validity
// period (expired, or not valid yet) to test how a client reports it. No Beast here (cheap to compile).
#include <filesystem>
#include <string>
#include <vector>

namespace leadsync::testing {

// When the leaf is valid, relative to now. The CA is always valid.
enum class LeafValidity {
  current,        // from an hour ago to a week ahead
  expired,        // notAfter a day ago (notBefore a month ago)
  not_yet_valid,  // notBefore a day ahead (notAfter a month ahead)
};

class TestPki {
 public:
  // Throws std::runtime_error when OpenSSL fails.
  TestPki(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
          LeafValidity validity = LeafValidity::current);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::filesystem::path& ca_file() const { return ca_file_; }      // the CA certificate (trust anchor)
  const std::filesystem::path& cert_file() const { return cert_file_; }  // the leaf certificate
  const std::filesystem::path& key_file() const { return key_file_; }    // the leaf's private key
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path ca_file_;
  std::filesystem::path cert_file_;
  std::filesystem::path key_file_;
};

}  // namespace leadsync::testing
