#pragma once
/// The server's TLS identity, shared by the MySQL and HTTP front ends, and the RSA key pair of
/// caching_sha2_password's password exchange over clear-text connections.
///
/// A certificate is always available: the one the configuration names (`--ssl-cert`,
/// `--ssl-key`), or else a self-signed one generated at first start into <data-dir>/tls and reused
/// afterwards, so a fresh server can be reached over TLS at once (its SHA-256 fingerprint is
/// logged for clients to pin, and server.crt doubles as the CA file clients verify against).
/// `require_secure_transport` makes both front ends refuse clear-text clients before they
/// authenticate.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>

namespace floe {

struct TlsOptions {
    /// PEM certificate (optionally followed by its chain) and private key; both or neither.
    std::string cert_file;
    std::string key_file;
    /// Refuse MySQL clients that do not ask for TLS and plain-HTTP requests.
    bool require_secure_transport = false;
};

class ServerTls {
  public:
    /// Loads the configured certificate and key, or the generated ones in `data_dir`/tls
    /// (generating them when missing), and the caching_sha2_password RSA key pair (likewise).
    /// Throws IOError naming the file that cannot be read, written or used.
    static std::unique_ptr<ServerTls> Open(const std::string& data_dir, const TlsOptions& options);
    ~ServerTls();

    /// The server-side TLS context (TLS 1.2 and later) that front ends wrap sockets with.
    boost::asio::ssl::context& context() { return context_; }
    bool require_secure_transport() const { return require_secure_transport_; }
    /// SHA-256 of the certificate (DER), as colon-separated upper-case hex (openssl's format).
    const std::string& fingerprint() const { return fingerprint_; }
    const std::string& certificate_file() const { return certificate_file_; }

    /// The RSA public key (PEM, SubjectPublicKeyInfo) clients encrypt a password with.
    const std::string& rsa_public_key_pem() const { return rsa_public_pem_; }
    /// Size in bytes of an RSA ciphertext (the key's modulus).
    size_t rsa_ciphertext_size() const;
    /// Decrypts RSA-OAEP (SHA-1, what MySQL clients send); nullopt when it does not decrypt.
    std::optional<std::string> RsaDecrypt(std::string_view ciphertext) const;

  private:
    ServerTls();

    boost::asio::ssl::context context_;
    bool require_secure_transport_ = false;
    std::string fingerprint_;
    std::string certificate_file_;
    std::string rsa_public_pem_;
    struct RsaKey;
    std::unique_ptr<RsaKey> rsa_;
};

}  // namespace floe
