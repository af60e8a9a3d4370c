#pragma once
/// The floe binary's settings: defaults, then a config file (`--config FILE`, lines of
/// `key = value`, `#` comments), then command-line flags, each overriding the one before.

#include <cstdint>
#include <string>
#include <vector>

namespace floe {

struct Config {
    std::string data_dir = "./floe-data";
    std::string bind_address = "0.0.0.0";
    int mysql_port = 9030;
    int http_port = 8030;
    int threads = 0;            // 0 = number of cores
    uint64_t memory_limit = 0;  // bytes; 0 = 80% of physical memory
    std::string log_level = "info";
    uint32_t max_connections = 4096;
    /// Seconds between rounds of automatic Iceberg maintenance (0: off).
    uint32_t lake_maintenance_interval = 60;
    uint32_t metrics_history_interval = 10;        // seconds between the console's chart points
    uint64_t stream_load_block_bytes = 64u << 20;  // Stream Load reads and writes bodies in blocks of this size
    /// TLS certificate and key (PEM) for the MySQL and HTTP ports; empty: a self-signed pair
    /// generated into <data_dir>/tls at first start.
    std::string ssl_cert;
    std::string ssl_key;
    /// Refuse MySQL clients that do not switch to TLS, and plain-HTTP requests.
    bool require_secure_transport = false;
    /// Directories users' local paths (FILES(), INSERT INTO FILES()) may lead to; empty: only
    /// <data_dir>/import.
    std::vector<std::string> file_roots;
};

/// Parses argv; throws std::invalid_argument with a message naming the bad flag or value.
/// Returns false when --help was given (usage already printed).
bool ParseConfig(int argc, char** argv, Config* config);
/// Parses "8G", "512M", "1024" (bytes) or "75%" of physical memory.
uint64_t ParseMemorySize(const std::string& text);
std::string Usage();

}  // namespace floe
