#include "server/tls/server_tls.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/exception.h"
#include "common/logging.h"

namespace floe {

namespace {

namespace fs = std::filesystem;

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
    void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const { BIO_free(p); }
};
struct PkeyContextFree {
    void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyContextPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyContextFree>;

/// Days the generated certificate is valid for (ten years: a development server should not
/// stop accepting TLS clients one morning; production configures its own certificate).
constexpr int kCertificateDays = 3650;

/// The oldest queued OpenSSL error as text (and the queue cleared, so it cannot leak into an
/// unrelated later check).
std::string OpenSslError() {
    unsigned long code = ERR_get_error();
    char text[256] = "unknown OpenSSL error";
    if (code != 0) ERR_error_string_n(code, text, sizeof(text));
    ERR_clear_error();
    return text;
}

std::string BioText(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<size_t>(n));
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw IOError("cannot read '" + path + "'");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Writes `text` to `path` through a temporary file and a rename, so a crash never leaves half
/// a key behind; the file gets `mode` whatever the umask.
void WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
    std::string temporary = path + ".tmp";
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) throw IOError("cannot write '" + temporary + "': " + std::strerror(errno));
    bool ok = ::fchmod(fd, mode) == 0;
    for (size_t done = 0; ok && done < text.size();) {
        ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        throw IOError("cannot write '" + path + "': " + std::strerror(errno));
    }
}

std::string PrivateKeyPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) {
        throw InternalError("cannot encode a private key: " + OpenSslError());
    }
    return BioText(bio.get());
}

std::string PublicKeyPem(EVP_PKEY* key) {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PUBKEY(bio.get(), key)) throw InternalError("cannot encode a public key: " + OpenSslError());
    return BioText(bio.get());
}

PkeyPtr ReadPrivateKey(const std::string& path) {
    std::string pem = ReadFile(path);
    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw IOError("cannot read a private key from '" + path + "': " + OpenSslError());
    return key;
}

void AddExtension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
    if (!extension) throw InternalError("cannot make certificate extension '" + value + "': " + OpenSslError());
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
}

/// Names the generated certificate is valid for: localhost, the loopback addresses and this
/// machine's host name (when it is a plain DNS name).
std::string SubjectAltNames() {
    std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
    char host[256] = {};
    if (::gethostname(host, sizeof(host) - 1) == 0 && host[0] != '\0' && std::string_view(host) != "localhost") {
        bool plain = true;
        for (const char* c = host; *c; ++c) {
            plain = plain && (std::isalnum(static_cast<unsigned char>(*c)) || *c == '-' || *c == '.');
        }
        if (plain) names += std::string(",DNS:") + host;
    }
    return names;
}

/// A self-signed certificate for `key` that is its own CA (basicConstraints CA:TRUE, key usage
/// keyCertSign), so clients can name server.crt as the CA file and verify the server with it.
X509Ptr MakeSelfSignedCertificate(EVP_PKEY* key) {
    X509Ptr cert(X509_new());
    if (!cert) throw InternalError("X509_new failed");
    X509_set_version(cert.get(), 2);  // v3
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof(serial)) != 1) throw InternalError("RAND_bytes failed: " + OpenSslError());
    serial[0] &= 0x7F;  // positive
    BIGNUM* serial_number = BN_bin2bn(serial, sizeof(serial), nullptr);
    BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(cert.get()));
    BN_free(serial_number);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);  // clients whose clocks lag a little
    X509_time_adj_ex(X509_getm_notAfter(cert.get()), kCertificateDays, 0, nullptr);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("floe"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
    AddExtension(cert.get(), NID_ext_key_usage, "serverAuth");
    AddExtension(cert.get(), NID_subject_key_identifier, "hash");  // before the AKI, which copies it
    AddExtension(cert.get(), NID_authority_key_identifier, "keyid:always");
    AddExtension(cert.get(), NID_subject_alt_name, SubjectAltNames());
    if (X509_sign(cert.get(), key, EVP_sha256()) == 0) {
        throw InternalError("cannot sign the certificate: " + OpenSslError());
    }
    return cert;
}

std::string Sha256Fingerprint(X509* cert) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha256(), digest, &n) != 1) return "";
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        if (i > 0) out.push_back(':');
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

void MakePrivateDirectory(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw IOError("cannot create '" + dir + "': " + ec.message());
    ::chmod(dir.c_str(), 0700);
}

}  // namespace

struct ServerTls::RsaKey {
    PkeyPtr key;
};

ServerTls::ServerTls() : context_(boost::asio::ssl::context::tls_server) {}

ServerTls::~ServerTls() = default;

std::unique_ptr<ServerTls> ServerTls::Open(const std::string& data_dir, const TlsOptions& options) {
    std::unique_ptr<ServerTls> tls(new ServerTls());
    tls->require_secure_transport_ = options.require_secure_transport;
    if (options.cert_file.empty() != options.key_file.empty()) {
        throw IOError("a TLS certificate needs its key: give both --ssl-cert and --ssl-key");
    }
    const std::string dir = data_dir + "/tls";
    MakePrivateDirectory(dir);

    std::string cert_file = options.cert_file, key_file = options.key_file;
    bool generated = false;
    if (cert_file.empty()) {
        cert_file = dir + "/server.crt";
        key_file = dir + "/server.key";
        if (!fs::exists(cert_file) || !fs::exists(key_file)) {
            PkeyPtr key(EVP_EC_gen("P-256"));
            if (!key) throw InternalError("cannot generate a TLS key: " + OpenSslError());
            X509Ptr cert = MakeSelfSignedCertificate(key.get());
            BioPtr bio(BIO_new(BIO_s_mem()));
            PEM_write_bio_X509(bio.get(), cert.get());
            WriteFileAtomically(key_file, PrivateKeyPem(key.get()), 0600);
            WriteFileAtomically(cert_file, BioText(bio.get()), 0644);
            generated = true;
        }
    }

    SSL_CTX* context = tls->context_.native_handle();
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_use_certificate_chain_file(context, cert_file.c_str()) != 1) {
        throw IOError("cannot use the TLS certificate '" + cert_file + "': " + OpenSslError());
    }
    if (SSL_CTX_use_PrivateKey_file(context, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_error()) == X509_R_KEY_VALUES_MISMATCH) {
            ERR_clear_error();
            throw IOError("the TLS key '" + key_file + "' does not match the certificate '" + cert_file + "'");
        }
        throw IOError("cannot use the TLS key '" + key_file + "': " + OpenSslError());
    }
    if (SSL_CTX_check_private_key(context) != 1) {
        throw IOError("the TLS key '" + key_file + "' does not match the certificate '" + cert_file + "'");
    }
    X509* leaf = SSL_CTX_get0_certificate(context);
    tls->fingerprint_ = Sha256Fingerprint(leaf);
    tls->certificate_file_ = cert_file;
    char subject[256] = {};
    X509_NAME_oneline(X509_get_subject_name(leaf), subject, sizeof(subject) - 1);
    Log::Info("tls.certificate", {{"file", cert_file},
                                  {"subject", subject},
                                  {"sha256_fingerprint", tls->fingerprint_},
                                  {"generated", generated},
                                  {"require_secure_transport", options.require_secure_transport}});

    // caching_sha2_password's RSA pair (MySQL's private_key.pem/public_key.pem).
    const std::string rsa_private = dir + "/rsa_private_key.pem", rsa_public = dir + "/rsa_public_key.pem";
    tls->rsa_ = std::make_unique<RsaKey>();
    if (fs::exists(rsa_private)) {
        tls->rsa_->key = ReadPrivateKey(rsa_private);
        if (EVP_PKEY_get_base_id(tls->rsa_->key.get()) != EVP_PKEY_RSA) {
            throw IOError("'" + rsa_private + "' does not hold an RSA key");
        }
    } else {
        tls->rsa_->key.reset(EVP_RSA_gen(2048));
        if (!tls->rsa_->key) throw InternalError("cannot generate an RSA key: " + OpenSslError());
        WriteFileAtomically(rsa_private, PrivateKeyPem(tls->rsa_->key.get()), 0600);
        WriteFileAtomically(rsa_public, PublicKeyPem(tls->rsa_->key.get()), 0644);
    }
    tls->rsa_public_pem_ = PublicKeyPem(tls->rsa_->key.get());
    return tls;
}

size_t ServerTls::rsa_ciphertext_size() const {
    return static_cast<size_t>(EVP_PKEY_get_size(rsa_->key.get()));
}

std::optional<std::string> ServerTls::RsaDecrypt(std::string_view ciphertext) const {
    PkeyContextPtr context(EVP_PKEY_CTX_new(rsa_->key.get(), nullptr));
    if (!context || EVP_PKEY_decrypt_init(context.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(context.get(), RSA_PKCS1_OAEP_PADDING) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    const auto* in = reinterpret_cast<const unsigned char*>(ciphertext.data());
    size_t n = 0;
    if (EVP_PKEY_decrypt(context.get(), nullptr, &n, in, ciphertext.size()) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    std::string plain(n, '\0');
    if (EVP_PKEY_decrypt(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, in, ciphertext.size()) !=
        1) {
        ERR_clear_error();
        return std::nullopt;
    }
    plain.resize(n);
    return plain;
}

}  // namespace floe
