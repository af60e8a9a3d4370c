// The floe binary: reads its settings, opens the data directory, starts the MySQL and HTTP
// front ends, and shuts down cleanly on SIGINT or SIGTERM.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <thread>

#include "common/exception.h"
#include "common/logging.h"
#include "common/memory.h"
#include "common/memory_tracker.h"
#include "common/worker_pool.h"
#include "main/config.h"
#include "server/http/http_server.h"
#include "server/instance.h"
#include "server/mysql/mysql_server.h"
#include "server/tls/server_tls.h"
#include "storage/segment.h"

int main(int argc, char** argv) {
    using namespace floe;
    ConfigureAllocator();
    Config config;
    try {
        if (!ParseConfig(argc, argv, &config)) return 0;
    } catch (const std::invalid_argument& e) {
        std::cerr << "floe: " << e.what() << "\n" << Usage();
        return 2;
    }
    LogLevel level;
    if (!Log::ParseLevel(config.log_level, &level)) {
        std::cerr << "floe: invalid --log-level '" << config.log_level << "'\n";
        return 2;
    }
    Log::SetLevel(level);

    // Block the shutdown signals in every thread; the main thread waits for them below.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    uint64_t memory_limit = config.memory_limit;
    if (memory_limit == 0) {
        memory_limit =
            static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE)) / 5 * 4;
    }
    MemoryTracker::Process().set_limit(static_cast<int64_t>(memory_limit));
    // Decoded segment columns are cached up to 4 GiB, or 30% of the memory limit when less.
    SetSegmentCacheCapacity(std::min<uint64_t>(uint64_t{4} << 30, memory_limit / 10 * 3));
    int threads = config.threads > 0 ? config.threads : static_cast<int>(std::thread::hardware_concurrency());
    WorkerPool::Configure(static_cast<size_t>(std::max(1, threads)));  // the cores a query's pipelines use
    try {
        InstanceOptions options;
        options.data_dir = config.data_dir;
        options.threads = threads;
        options.memory_limit = config.memory_limit;
        options.max_connections = config.max_connections;
        options.lake_maintenance_interval = config.lake_maintenance_interval;
        options.metrics_history_interval = config.metrics_history_interval;
        options.stream_load_block_bytes = config.stream_load_block_bytes;
        options.file_roots = config.file_roots;
        Instance instance(options);
        TlsOptions tls_options;
        tls_options.cert_file = config.ssl_cert;
        tls_options.key_file = config.ssl_key;
        tls_options.require_secure_transport = config.require_secure_transport;
        std::unique_ptr<ServerTls> tls = ServerTls::Open(config.data_dir, tls_options);
        MysqlServer mysql(instance, config.bind_address, static_cast<uint16_t>(config.mysql_port),
                          std::max(4, threads * 2), tls.get());
        HttpServer http(instance, config.bind_address, static_cast<uint16_t>(config.http_port), 2, tls.get());
        mysql.Start();
        http.Start();
        Log::Info("floe.ready", {{"version", kServerVersion},
                                 {"mysql_port", mysql.port()},
                                 {"http_port", http.port()},
                                 {"data_dir", config.data_dir},
                                 {"threads", threads},
                                 {"memory_limit", FormatBytes(static_cast<int64_t>(memory_limit))}});
        int sig = 0;
        sigwait(&signals, &sig);
        Log::Info("floe.stopping", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
        http.Stop();
        mysql.Stop();
    } catch (const Exception& e) {
        Log::Error("floe.failed", {{"error", e.what()}});
        return 1;
    } catch (const std::exception& e) {
        Log::Error("floe.failed", {{"error", e.what()}});
        return 1;
    }
    Log::Info("floe.stopped");
    return 0;
}
