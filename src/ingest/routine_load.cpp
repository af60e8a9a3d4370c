#include "ingest/routine_load.h"

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <span>

#include "binder/client_context.h"
#include "binder/table_schema.h"
#include "common/ascii.h"
#include "common/exception.h"
#include "common/logging.h"
#include "format/utf8.h"
#include "ingest/debezium.h"
#include "ingest/iceberg_sink.h"
#include "ingest/load_transform.h"
#include "ingest/routine_load_properties.h"
#include "lake/iceberg/iceberg_catalog.h"
#include "types/date_time.h"
#include "types/time_zone.h"

namespace floe {

using routine_load::IntProp;
using routine_load::Prop;
using routine_load::SecondsProp;
using routine_load::SplitList;

namespace {

int64_t NowMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The job cannot go on until a user acts: it pauses (or, with `cancel`, ends) with `reason`.
struct JobHalted {
    std::string reason;
    bool cancel = false;
};

/// Kafka or the table is not usable right now: retried with backoff while the job is UNSTABLE.
struct TransientError {
    std::string reason;
};

/// Rethrows the exception being handled, a failed write of a batch into `target` (the hot table,
/// the Iceberg table, the dead-letter table), as what it means for the job: retried when the cause
/// can pass (a lost commit race or conflict, I/O, memory), a pause when a user must act. A hot
/// target that no longer exists ends the job.
[[noreturn]] void RethrowWriteFailure(const std::string& target, bool hot) {
    try {
        throw;
    } catch (const iceberg::CommitFailedError& e) {
        throw TransientError{"committing to " + target + " failed (retried): " + e.what()};
    } catch (const CommitConflictError& e) {
        throw TransientError{"the commit to " + target + " conflicted (retried): " + e.what()};
    } catch (const CatalogError& e) {
        if (hot && e.code() == ErrorCode::UNKNOWN_TABLE) throw JobHalted{e.what(), true};
        if (hot) throw TransientError{e.what()};
        throw JobHalted{target + ": " + e.what()};
    } catch (const IOError& e) {
        throw TransientError{"writing to " + target + " failed (retried): " + e.what()};
    } catch (const OutOfMemoryError& e) {
        throw TransientError{"writing to " + target + " ran out of memory (retried): " + e.what()};
    } catch (const Exception& e) {
        throw JobHalted{"the batch cannot be written to " + target + ": " + e.what()};
    }
}

/// One message of a batch: its bytes are [begin, begin + size) of the batch's arena.
struct Message {
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms;
    size_t begin, size;
    size_t key_begin = 0, key_size = 0;  // the message key in the batch's key arena
};

void Sleep(std::atomic<bool>& stop, int64_t ms) {
    for (int64_t t = 0; t < ms && !stop.load(); t += 50) std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

}  // namespace

struct RoutineLoadManager::Worker {
    int64_t job_id = 0;
    std::thread thread;
    std::atomic<bool> stop{false};
    // Live status (guarded by mutex).
    std::mutex mutex;
    std::map<int32_t, int64_t> end_offsets;
    std::map<int32_t, int64_t> last_message_ms;
    int64_t batch_started_ms = 0;
    int64_t batches = 0;
    int64_t last_txn_id = 0;
    std::string kafka_error;
    int64_t kafka_error_ms = 0;
    bool unstable = false;
    size_t consumers = 1;  // desired_concurrent_number consumers running
};

RoutineLoadManager::RoutineLoadManager(Catalog& catalog, LoadManager& loads, std::string data_dir,
                                       ExternalCatalogs* externals)
    : catalog_(catalog), loads_(loads), data_dir_(std::move(data_dir)), externals_(externals) {}

RoutineLoadManager::~RoutineLoadManager() {
    Shutdown();
}

void RoutineLoadManager::Start() {
    for (const auto& job : catalog_.ListRoutineLoads()) {
        if (job.state == "NEED_SCHEDULE" || job.state == "RUNNING" || job.state == "UNSTABLE") StartWorker(job.id);
    }
}

void RoutineLoadManager::Shutdown() {
    std::map<int64_t, std::shared_ptr<Worker>> workers;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        workers.swap(workers_);
    }
    for (auto& [id, w] : workers) w->stop = true;
    for (auto& [id, w] : workers) {
        if (w->thread.joinable()) w->thread.join();
    }
}

std::vector<RoutineLoadManager::JobStatus> RoutineLoadManager::Status(const std::string& database) {
    std::vector<JobStatus> out;
    for (auto& job : catalog_.ListRoutineLoads()) {
        if (!database.empty() && job.database != database) continue;
        JobStatus s;
        std::shared_ptr<Worker> w;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = workers_.find(job.id);
            if (it != workers_.end()) w = it->second;
        }
        std::map<int32_t, int64_t> ends, last_ms;
        if (w) {
            std::lock_guard<std::mutex> lock(w->mutex);
            s.consuming = true;
            s.consumers = w->consumers;
            ends = w->end_offsets;
            last_ms = w->last_message_ms;
            s.batch_started_ms = w->batch_started_ms;
            s.batches = w->batches;
            s.last_txn_id = w->last_txn_id;
            if (w->unstable) s.kafka_error = w->kafka_error;
        }
        for (const auto& [p, next] : job.offsets) {
            PartitionStatus ps;
            ps.partition = p;
            ps.next_offset = next;
            auto e = ends.find(p);
            if (e != ends.end()) ps.end_offset = e->second;
            auto m = last_ms.find(p);
            if (m != last_ms.end()) ps.last_message_ms = m->second;
            s.partitions.push_back(ps);
        }
        s.job = std::move(job);
        out.push_back(std::move(s));
    }
    return out;
}

void RoutineLoadManager::StartWorker(int64_t job_id) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (workers_.count(job_id)) return;
    auto w = std::make_shared<Worker>();
    w->job_id = job_id;
    workers_[job_id] = w;
    w->thread = std::thread([this, w] { Run(*w); });
}

void RoutineLoadManager::StopWorker(int64_t job_id) {
    std::shared_ptr<Worker> w;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = workers_.find(job_id);
        if (it == workers_.end()) return;
        w = it->second;
        workers_.erase(it);
    }
    w->stop = true;
    if (w->thread.joinable()) {
        if (w->thread.get_id() == std::this_thread::get_id()) {
            w->thread.detach();
        } else {
            w->thread.join();
        }
    }
}

namespace {

/// librdkafka's error callback: transient broker errors (the client retries them itself) are
/// shown on the job while it is UNSTABLE.
void OnKafkaError(rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* record = static_cast<std::function<void(int, const std::string&)>*>(opaque);
    (*record)(err, reason ? reason : "");
}

/// One consumer session of a job: from the committed offsets until stopped, halted or broken.
class Consumer {
  public:
    /// `slice`, `slices`: this consumer reads the topic's partitions whose place in the sorted
    /// list is `slice` modulo `slices` (desired_concurrent_number consumers share a job).
    Consumer(Catalog& catalog, LoadManager& loads, ExternalCatalogs* externals, const std::string& data_dir,
             RoutineLoadJob job, std::atomic<bool>& stop, std::function<void(int, const std::string&)> on_error,
             size_t slice = 0, size_t slices = 1)
        : catalog_(catalog),
          loads_(loads),
          externals_(externals),
          data_dir_(data_dir),
          job_(std::move(job)),
          stop_(stop),
          on_error_(std::move(on_error)),
          slice_(slice),
          slices_(std::max<size_t>(1, slices)) {}
    ~Consumer() {
        if (rk_) {
            rd_kafka_consumer_close(rk_);
            rd_kafka_destroy(rk_);
        }
    }

    /// Connects, assigns the partitions at their offsets, and loads batches until `stop`.
    /// Throws JobHalted or TransientError.
    template <typename OnBatch, typename OnPosition>
    void Run(OnBatch on_batch, OnPosition on_position) {
        Connect();
        if (partitions_.empty()) {
            // More consumers than partitions: this one has none to read.
            while (!stop_) Sleep(stop_, 200);
            return;
        }
        const auto& lp = job_.load_properties;
        const int64_t max_rows = IntProp(lp, "max_batch_rows", 200000, 1);
        const int64_t max_bytes = IntProp(lp, "max_batch_size", 100 << 20, 1);
        const double interval = SecondsProp(lp, "max_batch_interval", 10);
        std::string arena, keys;
        std::vector<Message> batch;
        while (!stop_) {
            arena.clear();
            keys.clear();
            batch.clear();
            int64_t started = NowMs();
            int64_t deadline = started + static_cast<int64_t>(interval * 1000);
            while (!stop_ && static_cast<int64_t>(batch.size()) < max_rows &&
                   static_cast<int64_t>(arena.size()) < max_bytes) {
                int64_t now = NowMs();
                if (now >= deadline) break;
                rd_kafka_message_t* m =
                    rd_kafka_consumer_poll(rk_, static_cast<int>(std::min<int64_t>(deadline - now, 100)));
                if (!m) continue;
                if (m->err) {
                    rd_kafka_resp_err_t err = m->err;
                    std::string what = rd_kafka_message_errstr(m);
                    int32_t partition = m->partition;
                    int64_t offset = m->offset;
                    rd_kafka_message_destroy(m);
                    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
                    if (err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE) {
                        throw JobHalted{fmt::format(
                            "offset {} of partition {} of topic {} is out of range: the messages there were "
                            "deleted by retention, or the offset is beyond the end ({}). ALTER ROUTINE LOAD with "
                            "kafka_partitions and kafka_offsets to choose where to resume",
                            offsets_.count(partition) ? offsets_[partition] : offset, partition, topic_, what)};
                    }
                    on_error_(err, what);
                    continue;
                }
                rd_kafka_timestamp_type_t type;
                int64_t ts = rd_kafka_message_timestamp(m, &type);
                batch.push_back({m->partition, m->offset, ts, arena.size(), m->len, keys.size(), m->key_len});
                if (m->len) arena.append(static_cast<const char*>(m->payload), m->len);
                if (m->key_len) keys.append(static_cast<const char*>(m->key), m->key_len);
                rd_kafka_message_destroy(m);
            }
            std::map<int32_t, int64_t> ends;
            for (int32_t p : partitions_) {
                int64_t low = 0, high = 0;
                if (rd_kafka_get_watermark_offsets(rk_, topic_.c_str(), p, &low, &high) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                    high >= 0) {
                    ends[p] = high;
                }
            }
            on_position(ends);
            if (stop_ || batch.empty()) continue;
            int64_t gathered = NowMs();
            // A Debezium truncate ends the load before it: it applies between two commits.
            BatchResult result;
            for (size_t at = 0; at < batch.size();) {
                BatchResult part = Load(arena, keys, std::span<const Message>(batch).subspan(at));
                at += part.consumed;
                result.loaded += part.loaded;
                result.filtered += part.filtered;
                if (part.txn_id) result.txn_id = part.txn_id;
            }
            Log::Debug("routine_load.batch", {{"job", job_.name},
                                              {"messages", batch.size()},
                                              {"bytes", arena.size()},
                                              {"gather_ms", gathered - started},
                                              {"load_ms", NowMs() - gathered},
                                              {"loaded", result.loaded},
                                              {"filtered", result.filtered}});
            on_batch(result, batch);
        }
    }

    struct BatchResult {
        int64_t txn_id = 0;
        int64_t loaded = 0, filtered = 0;
        size_t consumed = 0;  // messages of the batch this load took
    };

  private:
    void Connect() {
        const auto& sp = job_.source_properties;
        topic_ = Prop(sp, "kafka_topic");
        char err[512];
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        auto set = [&](const std::string& k, const std::string& v) {
            if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
                rd_kafka_conf_destroy(conf);
                throw JobHalted{"Kafka property '" + k + "': " + err};
            }
        };
        set("bootstrap.servers", Prop(sp, "kafka_broker_list"));
        set("group.id", Prop(sp, "property.group.id", "floe_" + job_.database + "_" + job_.name));
        set("enable.auto.commit", "false");
        set("enable.auto.offset.store", "false");
        set("auto.offset.reset", "error");  // an offset out of range pauses the job, never skips silently
        set("enable.partition.eof", "false");
        set("client.id", "floe-routine-load-" + job_.name);
        // A fetch waits for data at most a fifth of the batch interval (librdkafka's default is
        // 500 ms): a batch interval well under a second must not wait on the fetch.
        double interval = SecondsProp(job_.load_properties, "max_batch_interval", 10);
        set("fetch.wait.max.ms", std::to_string(std::clamp<int64_t>(static_cast<int64_t>(interval * 200), 10, 500)));
        // Prefetch up to two batches: when the consumer queue holds queued.min.messages (librdkafka's
        // default 100000, counted over every partition) the fetcher stops and looks again only
        // about a second later, in the middle of a large batch.
        int64_t batch_rows = IntProp(job_.load_properties, "max_batch_rows", 200000, 1);
        int64_t batch_bytes = IntProp(job_.load_properties, "max_batch_size", 100 << 20, 1);
        set("queued.min.messages", std::to_string(std::clamp<int64_t>(2 * batch_rows, 100000, 10000000)));
        set("queued.max.messages.kbytes", std::to_string(std::clamp<int64_t>(batch_bytes / 512, 65536, 2097151)));
        for (const auto& [k, v] : sp) {
            if (k.rfind("property.", 0) != 0) continue;
            std::string name = k.substr(9);
            if (name == "kafka_default_offsets" || name == "group.id") continue;
            set(name, v);
        }
        rd_kafka_conf_set_opaque(conf, &on_error_);
        rd_kafka_conf_set_error_cb(conf, OnKafkaError);
        rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
        if (!rk_) throw JobHalted{std::string("cannot create a Kafka consumer: ") + err};
        rd_kafka_poll_set_consumer(rk_);

        // Partitions: as listed, or every partition of the topic.
        auto listed = SplitList(Prop(sp, "kafka_partitions"));
        if (!listed.empty()) {
            for (const auto& p : listed) partitions_.push_back(std::stoi(p));
        } else {
            rd_kafka_topic_t* t = rd_kafka_topic_new(rk_, topic_.c_str(), nullptr);
            const rd_kafka_metadata_t* md = nullptr;
            rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, t, &md, 5000);
            rd_kafka_topic_destroy(t);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                throw TransientError{"cannot read the metadata of topic " + topic_ + ": " + rd_kafka_err2str(e)};
            }
            std::string problem;
            for (int i = 0; i < md->topic_cnt; ++i) {
                if (md->topics[i].err) problem = rd_kafka_err2str(md->topics[i].err);
                for (int j = 0; j < md->topics[i].partition_cnt; ++j)
                    partitions_.push_back(md->topics[i].partitions[j].id);
            }
            rd_kafka_metadata_destroy(md);
            if (!problem.empty() || partitions_.empty()) {
                throw TransientError{"topic " + topic_ + ": " + (problem.empty() ? "no partitions" : problem)};
            }
            std::sort(partitions_.begin(), partitions_.end());
        }
        OpenSinks();
        // An Iceberg target records its offsets in its snapshots before the meta store does: after
        // a crash between the two, the newer offset is the table's.
        std::map<int32_t, int64_t> recovered;
        if (sink_) {
            try {
                recovered = sink_->CommittedOffsets(job_.offsets_set_ms);
            } catch (const CatalogError& e) {
                throw JobHalted{std::string("the target table: ") + e.what()};
            } catch (const IOError& e) {
                throw TransientError{std::string("reading the target table's snapshots: ") + e.what()};
            }
        }
        // Where each partition starts: the committed offset, else kafka_offsets, else
        // property.kafka_default_offsets, else OFFSET_END. Resolved offsets are recorded before
        // consuming, so a restart does not move an OFFSET_END start past unread messages.
        auto given = SplitList(Prop(sp, "kafka_offsets"));
        std::string fallback = Prop(sp, "property.kafka_default_offsets", "OFFSET_END");
        std::map<int32_t, int64_t> resolved;
        std::vector<int32_t> mine;
        for (size_t i = 0; i < partitions_.size(); ++i) {
            int32_t p = partitions_[i];
            // Only this consumer's partitions: each is resolved and recorded by its one reader.
            if (i % slices_ != slice_) continue;
            mine.push_back(p);
            if (auto r = recovered.find(p); r != recovered.end()) {
                auto stored = job_.offsets.find(p);
                if (stored == job_.offsets.end() || stored->second < r->second) {
                    Log::Info("routine_load.recovered",
                              {{"job", job_.name},
                               {"partition", p},
                               {"offset", r->second},
                               {"meta_store_offset", stored == job_.offsets.end() ? -1 : stored->second}});
                    job_.offsets[p] = resolved[p] = r->second;
                }
            }
            auto committed = job_.offsets.find(p);
            if (committed != job_.offsets.end()) {
                offsets_[p] = committed->second;
                continue;
            }
            std::string spec = i < given.size() && !listed.empty() ? given[i] : fallback;
            offsets_[p] = resolved[p] = Resolve(p, spec);
        }
        partitions_ = std::move(mine);
        if (partitions_.empty()) return;
        if (!resolved.empty()) catalog_.AlterRoutineLoad(job_.id, {}, {}, resolved);
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(partitions_.size()));
        for (int32_t p : partitions_) rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = offsets_[p];
        rd_kafka_resp_err_t e = rd_kafka_assign(rk_, list);
        rd_kafka_topic_partition_list_destroy(list);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) throw TransientError{std::string("assign: ") + rd_kafka_err2str(e)};
    }

    /// An offset spec: OFFSET_BEGINNING, OFFSET_END, a number, or a datetime (the first message
    /// at or after it, in the job's timezone).
    int64_t Resolve(int32_t p, const std::string& spec) {
        std::string upper = AsciiUpper(spec);
        if (upper == "OFFSET_BEGINNING" || upper == "OFFSET_END") {
            int64_t low = 0, high = 0;
            rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &low, &high, 5000);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
                throw TransientError{fmt::format("cannot read the offsets of partition {} of topic {}: {}", p, topic_,
                                                 rd_kafka_err2str(e))};
            }
            return upper == "OFFSET_BEGINNING" ? low : high;
        }
        if (!spec.empty() && std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return std::stoll(spec);
        }
        auto local = ParseDatetime(spec);
        if (!local) {
            throw JobHalted{"kafka offset '" + spec + "' is not OFFSET_BEGINNING, OFFSET_END, a number or a datetime"};
        }
        auto zone = TimeZone::Find(Prop(job_.load_properties, "timezone", "UTC"));
        int64_t ms = (zone ? zone->ToUtc(*local) : *local) / 1000;
        rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = ms;
        rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk_, list, 5000);
        int64_t offset = list->elems[0].offset;
        rd_kafka_resp_err_t pe = list->elems[0].err;
        rd_kafka_topic_partition_list_destroy(list);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR || pe != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw TransientError{
                fmt::format("cannot find the offset of {} in partition {}: {}", spec, p, rd_kafka_err2str(e ? e : pe))};
        }
        if (offset < 0) return Resolve(p, "OFFSET_END");  // no message that late yet
        return offset;
    }

    /// Parses, transforms and loads one batch; its commit records the partitions' next offsets.
    /// A Debezium truncate event ends the batch before it; a batch that starts with one applies
    /// it alone (TruncateOlder). Returns how many messages it took.
    BatchResult Load(const std::string& arena, const std::string& keys, std::span<const Message> batch) {
        std::optional<TableInfo> table;
        std::optional<LoadManager::TableLock> lock;
        TableSchema schema;
        // Each batch loads with its owner's rights as they are now: a revoked privilege pauses the job.
        std::shared_ptr<const PrivilegeSet> owner;
        if (!job_.owner.empty()) {
            AccessControl access(catalog_);
            owner = access.Effective(job_.owner, access.GrantedRoles(job_.owner));
        }
        if (owner && dead_letters_) {
            const std::string dead_catalog = RoutineLoadManager::DeadLetterTable(job_)->catalog;
            if (!owner->Has("USAGE", ClientContext::CatalogObject(dead_catalog)) ||
                !owner->Has("ALTER", ClientContext::CatalogObject(dead_catalog))) {
                throw JobHalted{"the job's owner '" + job_.owner + "' no longer holds USAGE and ALTER on catalog " +
                                dead_catalog +
                                ", which holds its dead-letter table (GRANT them again, then RESUME "
                                "ROUTINE LOAD)"};
            }
        }
        if (sink_) {
            // An Iceberg table: writing needs USAGE and ALTER on its catalog (as INSERT does).
            if (owner && (!owner->Has("USAGE", ClientContext::CatalogObject(job_.target_catalog)) ||
                          !owner->Has("ALTER", ClientContext::CatalogObject(job_.target_catalog)))) {
                throw JobHalted{"the job's owner '" + job_.owner + "' no longer holds USAGE and ALTER on catalog " +
                                job_.target_catalog + " (GRANT them again, then RESUME ROUTINE LOAD)"};
            }
            try {
                schema = sink_->Refresh();
            } catch (const CatalogError& e) {
                throw JobHalted{std::string("the target table: ") + e.what()};
            } catch (const NotSupportedError& e) {
                throw JobHalted{std::string("the target table: ") + e.what()};
            } catch (const IOError& e) {
                throw TransientError{std::string("reading the target table: ") + e.what()};
            }
        } else {
            table = catalog_.GetTable(job_.database, job_.table);
            if (!table || table->kind != "TABLE") {
                throw JobHalted{"table " + job_.database + "." + job_.table + " no longer exists", true};
            }
            if (owner && !owner->Has("INSERT", ClientContext::TableObject(*table))) {
                throw JobHalted{"the job's owner '" + job_.owner + "' no longer holds the INSERT privilege on " +
                                job_.database + "." + job_.table + " (GRANT it again, then RESUME ROUTINE LOAD)"};
            }
            lock.emplace(loads_.LockTable(table->id));
            schema = ParseTableDefinition(catalog_.GetTableVersion(table->id)->definition);
        }
        std::optional<LoadTransform> transform;
        try {
            transform.emplace(catalog_, job_.database, data_dir_, schema, job_.load_properties, owner);
        } catch (const Exception& e) {
            throw JobHalted{std::string("the job's columns and properties no longer fit the table: ") + e.what()};
        }
        // A batch that starts with a Debezium truncate applies it alone.
        bool truncate_first = false;
        std::optional<int64_t> truncate_position;
        // Debezium: the decoded rows, the message each came from, and the events that did not decode.
        std::vector<std::string> decoded;
        std::vector<size_t> decoded_message;
        std::vector<std::pair<size_t, std::string>> decode_errors;
        std::vector<uint32_t> sources;
        std::optional<CsvReader> csv;
        std::optional<JsonReader> json;
        std::string body;
        std::vector<size_t> first_record;  // CSV: the first record of each message
        if (transform->format() == "csv") {
            // One row per message (a row delimiter inside a message starts another row).
            CsvOptions options = transform->csv_options();
            options.skip_header = 0;
            options.reference_input = true;
            const std::string& delim = options.row_delimiter;
            size_t record = 0;
            for (const auto& m : batch) {
                std::string_view text(arena.data() + m.begin, m.size);
                while (text.size() >= delim.size() && text.substr(text.size() - delim.size()) == delim) {
                    text.remove_suffix(delim.size());
                }
                first_record.push_back(record);
                ++record;
                for (size_t at = text.find(delim); at != std::string_view::npos; at = text.find(delim, at + 1)) {
                    ++record;
                }
                body.append(text);
                body.append(delim);
            }
            csv.emplace(body, options, transform->source_columns().size());
            csv->TrackSources(&sources);
        } else if (transform->envelope() == "debezium") {
            // Each message a change event: decoded into the row it writes (or none), then read
            // as JSON; events that do not decode are rejected below like rows that do not convert.
            for (size_t i = 0; i < batch.size(); ++i) {
                const Message& m = batch[i];
                try {
                    DebeziumRow row =
                        DecodeDebezium(std::string_view(keys.data() + m.key_begin, m.key_size),
                                       std::string_view(arena.data() + m.begin, m.size), transform->debezium_target());
                    if (row.truncate && sink_) {
                        throw LoadError("a truncate event (op 't') does not apply to an Iceberg table");
                    }
                    if (row.truncate) {
                        // Applied outside this try: a failure to apply it is not a bad event.
                        if (i == 0) {
                            truncate_first = true;
                            truncate_position = row.position;
                        } else {
                            batch = batch.first(i);  // the events before it commit first
                        }
                        break;
                    }
                    if (row.skip) continue;
                    decoded.push_back(std::move(row.document));
                    decoded_message.push_back(i);
                } catch (const Exception& e) {
                    decode_errors.emplace_back(i, e.what());
                }
            }
            if (truncate_first) return Truncate(*table, schema, *transform, truncate_position, batch[0]);
            std::vector<std::string_view> documents(decoded.begin(), decoded.end());
            json.emplace(std::move(documents), transform->json_options(), transform->source_columns());
            json->TrackSources(&sources);
        } else {
            std::vector<std::string_view> documents;
            for (const auto& m : batch) documents.emplace_back(arena.data() + m.begin, m.size);
            json.emplace(std::move(documents), transform->json_options(), transform->source_columns());
            json->TrackSources(&sources);
        }
        auto message_of = [&](size_t source) -> size_t {
            if (json && !decoded_message.empty()) return source < decoded_message.size() ? decoded_message[source] : 0;
            if (json) return source;
            return static_cast<size_t>(std::upper_bound(first_record.begin(), first_record.end(), source) -
                                       first_record.begin()) -
                   1;
        };
        const bool utf8 = IsValidUtf8(arena);
        RoutineLoadProgress progress;
        std::vector<bool> rejected(batch.size(), false);
        auto reject = [&](size_t message, std::string reason) {
            ++progress.filtered_rows;
            if (message >= batch.size() || rejected[message]) return;  // one entry per message
            rejected[message] = true;
            const Message& m = batch[message];
            std::string raw = arena.substr(m.begin, m.size);
            progress.errors.push_back({m.partition, m.offset, std::move(reason), raw, ShownValue(raw, 64 << 10)});
        };
        for (auto& [message, reason] : decode_errors) reject(message, "Debezium event: " + reason);
        std::vector<Chunk> rows;
        std::vector<std::vector<uint8_t>> delete_rows;
        std::vector<std::vector<uint64_t>> keep_stored;
        std::vector<CsvRowError> parse_errors;
        std::vector<LoadTransform::Reject> rejects;
        // With a dead-letter table and dead_letter_where, the messages whose rows the WHERE drops.
        const bool dead_letter_where =
            dead_letters_ && IsTrueProperty(Prop(job_.load_properties, "dead_letter_where", "false"));
        std::vector<size_t> where_dropped;
        Chunk source_chunk;
        while (csv ? csv->Next(source_chunk, parse_errors) : json->Next(source_chunk, parse_errors)) {
            for (auto& e : parse_errors) reject(message_of(e.source), e.reason);
            parse_errors.clear();
            if (source_chunk.size() == 0) continue;
            Chunk out;
            std::vector<uint8_t> flags;
            rejects.clear();
            std::vector<uint64_t> keeps;
            transform->Apply(source_chunk, out, &flags, rejects, progress.unselected_rows, !utf8, &keeps);
            if (transform->has_keep_stored()) keep_stored.push_back(std::move(keeps));
            for (auto& r : rejects) reject(message_of(sources[r.row]), std::move(r.reason));
            if (dead_letter_where) {
                // The rows the WHERE dropped: neither loaded nor rejected.
                std::vector<bool> accounted(out.size(), false);
                for (size_t i = 0; i < out.live_rows(); ++i) accounted[out.LiveRow(i)] = true;
                for (const auto& r : rejects) accounted[r.row] = true;
                for (uint32_t r = 0; r < out.size(); ++r) {
                    if (!accounted[r]) where_dropped.push_back(message_of(sources[r]));
                }
            }
            if (transform->has_op()) delete_rows.push_back(std::move(flags));
            progress.loaded_rows += static_cast<int64_t>(out.live_rows());
            rows.push_back(std::move(out));
        }
        for (auto& e : parse_errors) reject(message_of(e.source), e.reason);
        int64_t total = static_cast<int64_t>(csv ? csv->rows_seen() : json->rows_seen()) +
                        static_cast<int64_t>(decode_errors.size());

        // Errors: up to max_error_number per window of 10 x max_batch_rows rows, and at most
        // max_filter_ratio of the rows a batch considers.
        const int64_t max_errors = IntProp(job_.load_properties, "max_error_number", 0, 0);
        const int64_t window = 10 * IntProp(job_.load_properties, "max_batch_rows", 200000, 1);
        if (window_rows_ >= window) window_rows_ = window_errors_ = 0;
        window_rows_ += total;
        window_errors_ += progress.filtered_rows;
        auto first_error = [&]() {
            const auto& e = progress.errors.front();
            return fmt::format("{} (partition {}, offset {}, message: {})", e.reason, e.partition, e.offset,
                               e.text.substr(0, 200));
        };
        // Messages a dead-letter table keeps never pause the job.
        if (progress.filtered_rows > 0 && window_errors_ > max_errors && !dead_letters_) {
            window_errors_ -= progress.filtered_rows;
            window_rows_ -= total;
            throw JobHalted{fmt::format("{} error rows exceed max_error_number {}; first error: {}",
                                        window_errors_ + progress.filtered_rows, max_errors, first_error())};
        }
        double ratio = 1.0;
        std::string ratio_text = Prop(job_.load_properties, "max_filter_ratio");
        if (!ratio_text.empty()) ratio = transform->max_filter_ratio();
        int64_t considered = total - progress.unselected_rows;
        if (progress.filtered_rows > 0 && considered > 0 && !dead_letters_ &&
            static_cast<double>(progress.filtered_rows) > ratio * static_cast<double>(considered)) {
            throw JobHalted{fmt::format("{} of {} rows filtered, more than max_filter_ratio {}; first error: {}",
                                        progress.filtered_rows, considered, ratio, first_error())};
        }

        std::sort(progress.errors.begin(), progress.errors.end(), [](const auto& a, const auto& b) {
            return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
        });
        for (const auto& m : batch) {
            progress.offsets[m.partition] = std::max(progress.offsets[m.partition], m.offset + 1);
            progress.received_bytes += static_cast<int64_t>(m.size);
        }
        const int64_t id = job_.id;
        // Dead letters commit first: their snapshot records the batch's offsets, so a replay of
        // this batch (after a crash before its rows commit) does not write them again.
        if (dead_letters_) WriteDeadLetters(arena, keys, batch, progress, where_dropped);
        if (sink_) {
            int64_t snapshot = 0;
            try {
                snapshot = sink_->Commit(rows, progress.offsets);
            } catch (const Exception&) {
                RethrowWriteFailure("the Iceberg table", false);
            }
            // The meta store mirrors the offsets the snapshot recorded (a crash before this write
            // is repaired from the table when the consumer starts again).
            try {
                catalog_.store().Transaction(
                    [&] { Catalog::RecordRoutineLoadProgress(catalog_.store(), id, progress); });
            } catch (const Exception& e) {
                throw TransientError{std::string("recording the batch's offsets failed: ") + e.what()};
            }
            for (const auto& [p, next] : progress.offsets) offsets_[p] = next;
            return {snapshot, progress.loaded_rows, progress.filtered_rows, batch.size()};
        }
        LoadOptions options = transform->options();
        options.label = fmt::format("routine_load_{}_{}", job_.name, NowMs());
        if (transform->has_op()) options.delete_rows = &delete_rows;
        if (transform->has_keep_stored()) options.keep_stored = &keep_stored;
        options.also = [&progress, id](MetaStore& store) { Catalog::RecordRoutineLoadProgress(store, id, progress); };
        LoadResult result;
        try {
            result = loads_.Load(*table, schema, rows, options);
        } catch (const Exception&) {
            RethrowWriteFailure("the table", true);
        }
        for (const auto& [p, next] : progress.offsets) offsets_[p] = next;
        return {result.txn_id, progress.loaded_rows, progress.filtered_rows, batch.size()};
    }

    std::string JobKey() const { return job_.database + "." + job_.name + "#" + std::to_string(job_.id); }

    /// The Iceberg target and the dead-letter table, and how far the dead letters got.
    void OpenSinks() {
        if (job_.external()) {
            if (!externals_) throw JobHalted{"routine loads into external tables need the external catalogs"};
            sink_ = std::make_unique<IcebergSink>(*externals_, job_.target_catalog, job_.target_database, job_.table,
                                                  JobKey());
        }
        std::optional<RoutineLoadManager::TableName> dead;
        try {
            dead = RoutineLoadManager::DeadLetterTable(job_);
        } catch (const Exception& e) {
            throw JobHalted{e.what()};
        }
        if (!dead) return;
        if (!externals_) throw JobHalted{"dead-letter tables need the external catalogs"};
        dead_letters_ =
            std::make_unique<IcebergSink>(*externals_, dead->catalog, dead->database, dead->table, JobKey());
        try {
            dead_letters_done_ = dead_letters_->CommittedOffsets();
        } catch (const CatalogError& e) {
            throw JobHalted{"the dead-letter table " + dead->ToString() + ": " + e.what()};
        } catch (const IOError& e) {
            throw TransientError{"reading the dead-letter table " + dead->ToString() + ": " + e.what()};
        }
    }

    /// Appends the batch's rejected messages (and those the WHERE dropped) to the dead-letter
    /// table, except those an earlier run already wrote there.
    void WriteDeadLetters(const std::string& arena, const std::string& keys, std::span<const Message> batch,
                          const RoutineLoadProgress& progress, const std::vector<size_t>& where_dropped) {
        std::map<std::pair<int32_t, int64_t>, const Message*> by_offset;
        for (const auto& m : batch) by_offset[{m.partition, m.offset}] = &m;
        std::vector<std::pair<const Message*, std::string>> letters;
        auto written = [&](const Message& m) {
            auto done = dead_letters_done_.find(m.partition);
            return done != dead_letters_done_.end() && m.offset < done->second;
        };
        for (const auto& e : progress.errors) {
            auto it = by_offset.find({e.partition, e.offset});
            if (it != by_offset.end() && !written(*it->second)) letters.emplace_back(it->second, e.reason);
        }
        std::set<size_t> dropped(where_dropped.begin(), where_dropped.end());
        for (size_t i : dropped) {
            if (i < batch.size() && !written(batch[i])) {
                letters.emplace_back(&batch[i], "the WHERE condition is not true for the row");
            }
        }
        if (letters.empty()) return;
        try {
            TableSchema schema = dead_letters_->Refresh();
            Chunk chunk(schema.Types(), letters.size());
            const int64_t now_us = NowMs() * 1000;
            for (const auto& [m, reason] : letters) {
                std::string raw = arena.substr(m->begin, m->size);
                std::string key = keys.substr(m->key_begin, m->key_size);
                for (size_t c = 0; c < schema.columns.size(); ++c) {
                    const std::string name = AsciiLower(schema.columns[c].name);
                    const TypeId type = schema.columns[c].type.id;
                    const bool text = type == TypeId::VARCHAR;
                    Value v = Value::Null(schema.columns[c].type);
                    if (name == "topic" && text) v = Value::Varchar(topic_);
                    if (name == "partition" && schema.columns[c].type.IsInteger())
                        v = Value::Integer(m->partition, type);
                    if (name == "offset" && type == TypeId::BIGINT) v = Value::Integer(m->offset);
                    if (name == "kafka_timestamp" && type == TypeId::DATETIME && m->timestamp_ms >= 0) {
                        v = Value::Datetime(m->timestamp_ms * 1000);
                    }
                    if (name == "key" && text && m->key_size) v = Value::Varchar(ShownValue(key, 64 << 10));
                    if (name == "raw_value" && text) v = Value::Varchar(ShownValue(raw, 64 << 10));
                    if (name == "error" && text) v = Value::Varchar(reason);
                    if (name == "job" && text) v = Value::Varchar(job_.database + "." + job_.name);
                    if (name == "ingested_at" && type == TypeId::DATETIME) v = Value::Datetime(now_us);
                    chunk.column(c).Append(v);
                }
            }
            chunk.SetSize(letters.size());
            std::vector<Chunk> rows;
            rows.push_back(std::move(chunk));
            dead_letters_->Commit(rows, progress.offsets);
        } catch (const Exception&) {
            RethrowWriteFailure("the dead-letter table", false);
        }
        for (const auto& [p, next] : progress.offsets) {
            dead_letters_done_[p] = std::max(dead_letters_done_[p], next);
        }
    }

    /// Applies a Debezium truncate (message `m`, at `position` when the job orders events):
    /// removes the rows older than it, in one commit that also records the message as consumed.
    BatchResult Truncate(const TableInfo& table, const TableSchema& schema, const LoadTransform& transform,
                         std::optional<int64_t> position, const Message& m) {
        RoutineLoadProgress progress;
        progress.offsets[m.partition] = m.offset + 1;
        progress.received_bytes = static_cast<int64_t>(m.size);
        const int64_t id = job_.id;
        LoadResult result;
        try {
            // The rows' source positions are in the position column (not whatever merge_condition names).
            const std::string& column = transform.debezium_target().position_column;
            result = loads_.TruncateOlder(
                table, schema, position, column.empty() ? -1 : schema.Find(column),
                fmt::format("routine_load_{}_{}_truncate", job_.name, NowMs()),
                [&progress, id](MetaStore& store) { Catalog::RecordRoutineLoadProgress(store, id, progress); });
        } catch (const Exception&) {
            RethrowWriteFailure("the table (a truncate event)", true);
        }
        Log::Info("routine_load.truncate", {{"job", job_.name},
                                            {"partition", m.partition},
                                            {"offset", m.offset},
                                            {"position", position ? std::to_string(*position) : "none"},
                                            {"deleted_rows", result.deleted_rows}});
        offsets_[m.partition] = m.offset + 1;
        return {result.txn_id, 0, 0, 1};
    }

    Catalog& catalog_;
    LoadManager& loads_;
    ExternalCatalogs* externals_;
    const std::string& data_dir_;
    RoutineLoadJob job_;
    std::unique_ptr<IcebergSink> sink_;             // an Iceberg target
    std::unique_ptr<IcebergSink> dead_letters_;     // the dead-letter table, when the job has one
    std::map<int32_t, int64_t> dead_letters_done_;  // per partition, the offset its dead letters are written to
    std::atomic<bool>& stop_;
    std::function<void(int, const std::string&)> on_error_;
    rd_kafka_t* rk_ = nullptr;
    std::string topic_;
    std::vector<int32_t> partitions_;
    std::map<int32_t, int64_t> offsets_;  // next offset per partition
    int64_t window_rows_ = 0, window_errors_ = 0;
    size_t slice_, slices_;
};

}  // namespace

void RoutineLoadManager::Run(Worker& w) {
    int64_t backoff_ms = 500;
    std::string state;       // as last written to the meta store
    std::mutex state_mutex;  // consumers of one job report from their own threads
    auto set_state = [&](const std::string& s, const std::string& reason) {
        std::lock_guard<std::mutex> state_lock(state_mutex);
        if (s == state) return;
        state = s;
        try {
            catalog_.SetRoutineLoadState(w.job_id, s, reason);
        } catch (const std::exception& e) {
            Log::Warn("routine_load.state", {{"job_id", w.job_id}, {"error", e.what()}});
        }
    };
    auto on_error = [&w](int err, const std::string& reason) {
        std::lock_guard<std::mutex> lock(w.mutex);
        w.kafka_error = reason;
        w.kafka_error_ms = NowMs();
        w.unstable = true;
        Log::Warn("routine_load.kafka_error", {{"job_id", w.job_id}, {"code", err}, {"error", reason}});
    };
    while (!w.stop) {
        auto job = catalog_.GetRoutineLoadById(w.job_id);
        if (!job || job->state == "PAUSED" || job->state == "STOPPED" || job->state == "CANCELLED") break;
        state = job->state;
        const size_t consumers = static_cast<size_t>(
            std::clamp<int64_t>(IntProp(job->load_properties, "desired_concurrent_number", 1, 1), 1, 64));
        {
            std::lock_guard<std::mutex> lock(w.mutex);
            w.consumers = consumers;
        }
        try {
            auto on_batch = [&](const Consumer::BatchResult& r, const std::vector<Message>& batch) {
                std::lock_guard<std::mutex> lock(w.mutex);
                ++w.batches;
                w.last_txn_id = r.txn_id;
                for (const auto& m : batch) w.last_message_ms[m.partition] = m.timestamp_ms;
                backoff_ms = 500;
            };
            auto on_position = [&](const std::map<int32_t, int64_t>& ends) {
                bool unstable;
                std::string reason;
                {
                    std::lock_guard<std::mutex> lock(w.mutex);
                    for (const auto& [p, e] : ends) w.end_offsets[p] = e;
                    w.batch_started_ms = NowMs();
                    // A Kafka error in the last 10 s keeps the job UNSTABLE; then it is RUNNING again.
                    if (w.unstable && NowMs() - w.kafka_error_ms > 10000) w.unstable = false;
                    unstable = w.unstable;
                    reason = w.kafka_error;
                }
                set_state(unstable ? "UNSTABLE" : "RUNNING", unstable ? "Kafka: " + reason : "");
            };
            if (consumers == 1) {
                Consumer consumer(catalog_, loads_, externals_, data_dir_, *job, w.stop, on_error);
                consumer.Run(on_batch, on_position);
            } else {
                // desired_concurrent_number consumers, each over its share of the partitions and
                // committing its own batches (rows and its partitions' offsets together). The
                // first failure stops them all and is handled below as one consumer's would be.
                std::atomic<bool> round_stop{false};
                std::mutex failure_mutex;
                std::exception_ptr failure;
                std::vector<std::thread> threads;
                for (size_t k = 0; k < consumers; ++k) {
                    threads.emplace_back([&, k] {
                        try {
                            Consumer consumer(catalog_, loads_, externals_, data_dir_, *job, round_stop, on_error, k,
                                              consumers);
                            consumer.Run(on_batch, on_position);
                        } catch (...) {
                            std::lock_guard<std::mutex> lock(failure_mutex);
                            if (!failure) failure = std::current_exception();
                        }
                        round_stop = true;
                    });
                }
                while (!round_stop.load()) {
                    if (w.stop.load()) round_stop = true;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
                for (auto& t : threads) t.join();
                if (failure && !w.stop) std::rethrow_exception(failure);
            }
        } catch (const JobHalted& h) {
            Log::Warn("routine_load.halted", {{"job_id", w.job_id}, {"reason", h.reason}});
            if (!w.stop) set_state(h.cancel ? "CANCELLED" : "PAUSED", h.reason);
            break;
        } catch (const TransientError& t) {
            {
                std::lock_guard<std::mutex> lock(w.mutex);
                w.kafka_error = t.reason;
                w.kafka_error_ms = NowMs();
                w.unstable = true;
            }
            Log::Warn("routine_load.retry", {{"job_id", w.job_id}, {"reason", t.reason}, {"backoff_ms", backoff_ms}});
            if (!w.stop) set_state("UNSTABLE", t.reason);
            Sleep(w.stop, backoff_ms);
            backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
        } catch (const std::exception& e) {
            Log::Error("routine_load.failed", {{"job_id", w.job_id}, {"error", e.what()}});
            if (!w.stop) set_state("UNSTABLE", std::string("internal error: ") + e.what());
            Sleep(w.stop, backoff_ms);
            backoff_ms = std::min<int64_t>(backoff_ms * 2, 30000);
        }
    }
    // A job that halted by itself leaves the set of running workers.
    if (!w.stop) {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = workers_.find(w.job_id);
        if (it != workers_.end() && it->second.get() == &w) {
            it->second->thread.detach();
            workers_.erase(it);
        }
    }
}

}  // namespace floe
