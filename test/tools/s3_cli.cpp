// floe_s3: Floe's S3 client from the command line, for the integration tests (multipart uploads,
// batch deletes and listings through Floe's own code against s3rver). Usage:
//   floe_s3 [--endpoint URL] [--access-key AK] [--secret-key SK] [--region R] [--path-style]
//           [--part-size BYTES] COMMAND ARGS
//   put URL LOCAL_FILE    upload (multipart once the file outgrows one part); prints the size
//   cat URL               the object's bytes on stdout (ranged reads of 1 MiB)
//   ls PATTERN            "size path" per matching object
//   rm URL...             batch delete
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "common/exception.h"
#include "io/s3_file_system.h"

int main(int argc, char** argv) {
    floe::S3Config config;
    size_t part_size = floe::S3Writer::kDefaultPartSize;
    std::vector<std::string> rest;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
        if (a == "--endpoint") {
            config.endpoint = value();
        } else if (a == "--access-key") {
            config.access_key = value();
        } else if (a == "--secret-key") {
            config.secret_key = value();
        } else if (a == "--region") {
            config.region = value();
        } else if (a == "--path-style") {
            config.path_style = true;
        } else if (a == "--part-size") {
            part_size = std::stoull(value());
        } else {
            rest.push_back(a);
        }
    }
    if (rest.size() < 2) {
        std::cerr << "usage: floe_s3 [options] put|cat|ls|rm ARGS\n";
        return 2;
    }
    floe::S3FileSystem fs(config);
    try {
        const std::string& command = rest[0];
        if (command == "put" && rest.size() == 3) {
            std::ifstream in(rest[2], std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            auto writer = fs.OpenWriter(rest[1], part_size);
            // Appended in odd-sized pieces, so parts are cut inside an Append.
            for (size_t pos = 0; pos < bytes.size(); pos += 999'983) {
                writer->Append(std::string_view(bytes).substr(pos, 999'983));
            }
            writer->Close();
            std::cout << writer->bytes_written() << "\n";
        } else if (command == "cat" && rest.size() == 2) {
            auto file = fs.Open(rest[1]);
            constexpr size_t kChunk = size_t{1} << 20;
            for (uint64_t pos = 0; pos < file->size(); pos += kChunk) {
                std::cout << file->ReadAt(pos, std::min<uint64_t>(kChunk, file->size() - pos));
            }
        } else if (command == "ls" && rest.size() == 2) {
            for (const auto& f : fs.List(rest[1])) std::cout << f.size << " " << f.path << "\n";
        } else if (command == "rm") {
            fs.Delete(std::vector<std::string>(rest.begin() + 1, rest.end()));
        } else {
            std::cerr << "floe_s3: unknown command or wrong arguments\n";
            return 2;
        }
    } catch (const floe::Exception& e) {
        std::cerr << "floe_s3: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
