#include "test_pki.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace leadsync::testing {

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct CertFree {
  void operator()(X509* p) const { X509_free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

[[noreturn]] void fail(const std::string& what) {
  char reason[256] = {};
  ERR_error_string_n(ERR_get_error(), reason, sizeof reason);
  throw std::runtime_error("test PKI: " + what + ": " + reason);
}

void check(int ok, const std::string& what) {
  if (ok != 1) fail(what);
}

Key make_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) fail("EC key generation");
  return key;
}

void add_extension(X509* cert, X509V3_CTX& ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("extension " + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok, "adding extension " + value);
}

constexpr long kDay = 24 * 3600;

// The validity period as offsets from now, in seconds.
std::pair<long, long> validity_window(LeafValidity validity) {
  switch (validity) {
    case LeafValidity::expired:
      return {-30 * kDay, -kDay};
    case LeafValidity::not_yet_valid:
      return {kDay, 30 * kDay};
    case LeafValidity::current:
      break;
  }
  return {-3600, 7 * kDay};
}

// issuer == nullptr: self-signed CA.
Cert make_cert(EVP_PKEY* key, const std::string& common_name, X509* issuer, EVP_PKEY* issuer_key, long serial,
               const std::string& subject_alt_names, LeafValidity validity = LeafValidity::current) {
  Cert cert(X509_new());
  if (!cert) fail("X509_new");
  X509* x = cert.get();
  check(X509_set_version(x, X509_VERSION_3), "version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), "serial");
  const auto [not_before, not_after] = validity_window(validity);
  if (!X509_gmtime_adj(X509_getm_notBefore(x), not_before) ||
      !X509_gmtime_adj(X509_getm_notAfter(x), not_after))
    fail("validity");
  check(X509_set_pubkey(x, key), "public key");
  X509_NAME* name = X509_get_subject_name(x);
  check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("leadsync tests"), -1, -1, 0),
        "subject O");
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0),
        "subject CN");
  check(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name), "issuer");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x, x, nullptr, nullptr, 0);
  const bool is_ca = issuer == nullptr;
  add_extension(x, ctx, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
  add_extension(x, ctx, NID_key_usage, is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_extension(x, ctx, NID_subject_key_identifier, "hash");
  if (!is_ca) {
    add_extension(x, ctx, NID_authority_key_identifier, "keyid:always");
    add_extension(x, ctx, NID_ext_key_usage, "serverAuth");
    if (!subject_alt_names.empty()) add_extension(x, ctx, NID_subject_alt_name, subject_alt_names);
  }
  if (X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) <= 0) fail("signing");
  return cert;
}

void write_file(const std::filesystem::path& path, const auto& write) {
  FILE* file = std::fopen(path.c_str(), "w");
  if (!file) throw std::runtime_error("test PKI: cannot write " + path.string());
  const int ok = write(file);
  std::fclose(file);
  check(ok, "writing " + path.string());
}

}  // namespace

TestPki::TestPki(const std::vector<std::string>& dns_names, const std::vector<std::string>& ip_addresses,
                 LeafValidity validity) {
  std::string dir_template = (std::filesystem::temp_directory_path() / "leadsync-pki-XXXXXX").string();
  if (!mkdtemp(dir_template.data())) throw std::runtime_error("test PKI: mkdtemp failed");
  dir_ = dir_template;
  ca_file_ = dir_ / "ca.pem";
  cert_file_ = dir_ / "leaf.pem";
  key_file_ = dir_ / "leaf.key";

  std::string sans;
  for (const auto& dns : dns_names) sans += (sans.empty() ? "" : ",") + std::string("DNS:") + dns;
  for (const auto& ip : ip_addresses) sans += (sans.empty() ? "" : ",") + std::string("IP:") + ip;

  const Key ca_key = make_key();
  const Cert ca = make_cert(ca_key.get(), "leadsync test CA", nullptr, nullptr, 1, "");
  const Key leaf_key = make_key();
  const Cert leaf = make_cert(leaf_key.get(), dns_names.empty() ? "leaf" : dns_names.front(), ca.get(),
                              ca_key.get(), 2, sans, validity);

  write_file(ca_file_, [&](FILE* f) { return PEM_write_X509(f, ca.get()); });
  write_file(cert_file_, [&](FILE* f) { return PEM_write_X509(f, leaf.get()); });
  write_file(key_file_, [&](FILE* f) {
    return PEM_write_PrivateKey(f, leaf_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace leadsync::testing
