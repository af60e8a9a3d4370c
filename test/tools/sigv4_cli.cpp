// floe_sigv4: prints the Authorization header (and, after it, the canonical request) Floe's SigV4
// signer computes for a request described on the command line; test_sigv4_botocore.py compares it
// with botocore's. Every argument is `--name value`:
//   --method GET --path /bucket/key (decoded) --query name=value (repeatable, decoded)
//   --header "Name: value" (repeatable) --payload-hash HEX --date 20150830T123600Z
//   --region us-east-1 --service s3 --access-key AK --secret-key SK [--token T]
#include <cstring>
#include <iostream>
#include <string>

#include "io/sigv4.h"

int main(int argc, char** argv) {
    floe::SigV4Request request;
    floe::SigV4Credentials credentials;
    floe::SigV4Options options;
    std::string date;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string name = argv[i];
        std::string value = argv[i + 1];
        if (name == "--method") {
            request.method = value;
        } else if (name == "--path") {
            request.path = value;
        } else if (name == "--query") {
            size_t eq = value.find('=');
            request.query.emplace_back(value.substr(0, eq), eq == std::string::npos ? "" : value.substr(eq + 1));
        } else if (name == "--header") {
            size_t colon = value.find(':');
            if (colon == std::string::npos) {
                std::cerr << "floe_sigv4: a header needs 'Name: value'\n";
                return 2;
            }
            request.headers.emplace_back(value.substr(0, colon), value.substr(colon + 1));
        } else if (name == "--payload-hash") {
            request.payload_hash = value;
        } else if (name == "--date") {
            date = value;
        } else if (name == "--region") {
            options.region = value;
        } else if (name == "--service") {
            options.service = value;
        } else if (name == "--access-key") {
            credentials.access_key = value;
        } else if (name == "--secret-key") {
            credentials.secret_key = value;
        } else if (name == "--token") {
            credentials.session_token = value;
        } else {
            std::cerr << "floe_sigv4: unknown argument " << name << "\n";
            return 2;
        }
    }
    if (date.empty()) date = floe::AmzDate(std::chrono::system_clock::now());
    floe::SigV4Signature s = floe::SignV4(request, credentials, options, date);
    std::cout << s.authorization << "\n" << s.canonical_request << "\n";
    return 0;
}
