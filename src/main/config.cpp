#include "main/config.h"

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace floe {

namespace {

int ParsePort(const std::string& key, const std::string& v) {
    try {
        size_t used = 0;
        int p = std::stoi(v, &used);
        if (used != v.size() || p < 0 || p > 65535) throw std::out_of_range("port");
        return p;
    } catch (const std::exception&) {
        throw std::invalid_argument("invalid value for " + key + ": '" + v + "' (expected a port 0-65535)");
    }
}

bool ParseBool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "TRUE" || v == "1" || v == "on" || v == "ON" || v == "yes") return true;
    if (v == "false" || v == "FALSE" || v == "0" || v == "off" || v == "OFF" || v == "no") return false;
    throw std::invalid_argument("invalid value for " + key + ": '" + v + "' (expected true or false)");
}

/// Settings that may be given as a bare flag (`--require-secure-transport` means true).
bool IsSwitch(const std::string& key) {
    return key == "require-secure-transport" || key == "require_secure_transport" ||
           key == "ssl_force_secure_transport";
}

int ParseCount(const std::string& key, const std::string& v) {
    try {
        size_t used = 0;
        int n = std::stoi(v, &used);
        if (used != v.size() || n < 0) throw std::out_of_range("count");
        return n;
    } catch (const std::exception&) {
        throw std::invalid_argument("invalid value for " + key + ": '" + v + "'");
    }
}

void Apply(Config* c, const std::string& key, const std::string& value) {
    if (key == "data-dir" || key == "data_dir")
        c->data_dir = value;
    else if (key == "bind-address" || key == "bind_address")
        c->bind_address = value;
    else if (key == "mysql-port" || key == "mysql_port" || key == "query_port")
        c->mysql_port = ParsePort(key, value);
    else if (key == "http-port" || key == "http_port")
        c->http_port = ParsePort(key, value);
    else if (key == "threads")
        c->threads = ParseCount(key, value);
    else if (key == "memory-limit" || key == "memory_limit")
        c->memory_limit = ParseMemorySize(value);
    else if (key == "stream-load-block-size" || key == "stream_load_block_size")
        c->stream_load_block_bytes = ParseMemorySize(value);
    else if (key == "log-level" || key == "log_level")
        c->log_level = value;
    else if (key == "max-connections" || key == "max_connections")
        c->max_connections = ParseCount(key, value);
    else if (key == "lake-maintenance-interval" || key == "lake_maintenance_interval")
        c->lake_maintenance_interval = ParseCount(key, value);
    else if (key == "metrics-history-interval" || key == "metrics_history_interval")
        c->metrics_history_interval = std::max<uint32_t>(1, static_cast<uint32_t>(ParseCount(key, value)));
    else if (key == "ssl-cert" || key == "ssl_cert")
        c->ssl_cert = value;
    else if (key == "ssl-key" || key == "ssl_key")
        c->ssl_key = value;
    else if (IsSwitch(key))
        c->require_secure_transport = ParseBool(key, value);
    else if (key == "file-roots" || key == "file_roots") {
        c->file_roots.clear();
        size_t start = 0;
        while (start <= value.size()) {
            size_t comma = value.find(',', start);
            std::string root = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            while (!root.empty() && (root.front() == ' ' || root.front() == '\t')) root.erase(root.begin());
            while (!root.empty() && (root.back() == ' ' || root.back() == '\t')) root.pop_back();
            if (!root.empty()) c->file_roots.push_back(root);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    } else
        throw std::invalid_argument("unknown setting '" + key + "'");
}

std::string Trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

void LoadFile(Config* c, const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read config file '" + path + "'");
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        size_t hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        line = Trim(line);
        if (line.empty()) continue;
        size_t eq = line.find('=');
        if (eq == std::string::npos) {
            throw std::invalid_argument(path + ":" + std::to_string(lineno) + ": expected 'key = value'");
        }
        try {
            Apply(c, Trim(line.substr(0, eq)), Trim(line.substr(eq + 1)));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(path + ":" + std::to_string(lineno) + ": " + e.what());
        }
    }
}

}  // namespace

std::string Usage() {
    return "usage: floe [options]\n"
           "  --config FILE         read settings (key = value lines) before the flags\n"
           "  --data-dir DIR        data directory (default ./floe-data)\n"
           "  --bind-address ADDR   address to listen on (default 0.0.0.0)\n"
           "  --mysql-port N        MySQL protocol port (default 9030; 0 = any free port)\n"
           "  --http-port N         HTTP port (default 8030; 0 = any free port)\n"
           "  --threads N           cores a query uses, and network threads (default: number of cores)\n"
           "  --memory-limit SIZE   e.g. 8G, 512M or 75% (default 80% of memory)\n"
           "  --max-connections N   MySQL connections accepted at once (default 4096)\n"
           "  --lake-maintenance-interval N\n"
           "                        seconds between rounds of automatic Iceberg table\n"
           "                        maintenance (default 60; 0 = off)\n"
           "  --metrics-history-interval N\n"
           "                        seconds between the points of the web console's charts\n"
           "                        (default 10; six hours of points are kept)\n"
           "  --stream-load-block-size SIZE\n"
           "                        Stream Load parses and writes a body in blocks of this size\n"
           "                        as it arrives (default 64M; memory per load is about twice it)\n"
           "  --file-roots DIR[,DIR...]\n"
           "                        the only directories FILES() and INSERT INTO FILES() may read\n"
           "                        or write (symlinks and .. resolved first; default DATA_DIR/import;\n"
           "                        the data directory itself is never reachable)\n"
           "  --ssl-cert FILE       TLS certificate (PEM, chain may follow) for the MySQL and HTTP\n"
           "                        ports; with --ssl-key. Default: a self-signed one generated\n"
           "                        at first start into DATA_DIR/tls/server.crt (its SHA-256\n"
           "                        fingerprint is logged; clients can use it as their CA file)\n"
           "  --ssl-key FILE        the certificate's private key (PEM)\n"
           "  --require-secure-transport [true|false]\n"
           "                        refuse MySQL clients that do not use TLS (error 5205) and\n"
           "                        plain-HTTP requests (403); default false\n"
           "  --log-level LEVEL     debug, info, warn or error (default info)\n";
}

uint64_t ParseMemorySize(const std::string& text) {
    std::string t = Trim(text);
    if (t.empty()) throw std::invalid_argument("empty memory size");
    try {
        if (t.back() == '%') {
            double pct = std::stod(t.substr(0, t.size() - 1));
            if (pct <= 0 || pct > 100) throw std::out_of_range("pct");
            uint64_t total =
                static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
            return static_cast<uint64_t>(total * pct / 100.0);
        }
        size_t used = 0;
        double n = std::stod(t, &used);
        std::string unit = Trim(t.substr(used));
        uint64_t mult = 1;
        if (unit.empty() || unit == "B" || unit == "b")
            mult = 1;
        else if (unit == "K" || unit == "KB" || unit == "k")
            mult = 1ULL << 10;
        else if (unit == "M" || unit == "MB" || unit == "m")
            mult = 1ULL << 20;
        else if (unit == "G" || unit == "GB" || unit == "g")
            mult = 1ULL << 30;
        else if (unit == "T" || unit == "TB" || unit == "t")
            mult = 1ULL << 40;
        else
            throw std::out_of_range("unit");
        if (n <= 0) throw std::out_of_range("size");
        return static_cast<uint64_t>(n * static_cast<double>(mult));
    } catch (const std::exception&) {
        throw std::invalid_argument("invalid memory size '" + text + "' (expected e.g. 8G, 512M or 75%)");
    }
}

bool ParseConfig(int argc, char** argv, Config* config) {
    std::vector<std::pair<std::string, std::string>> flags;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << Usage();
            return false;
        }
        if (arg.rfind("--", 0) != 0) throw std::invalid_argument("unexpected argument '" + arg + "'");
        std::string key = arg.substr(2), value;
        size_t eq = key.find('=');
        if (eq != std::string::npos) {
            value = key.substr(eq + 1);
            key = key.substr(0, eq);
        } else if (IsSwitch(key) && (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)) {
            value = "true";
        } else {
            if (i + 1 >= argc) throw std::invalid_argument("missing value for --" + key);
            value = argv[++i];
        }
        flags.emplace_back(key, value);
    }
    for (const auto& [k, v] : flags) {
        if (k == "config") LoadFile(config, v);
    }
    for (const auto& [k, v] : flags) {
        if (k != "config") Apply(config, k, v);
    }
    return true;
}

}  // namespace floe
