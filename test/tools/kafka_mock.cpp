// floe_kafka_mock: a real Kafka protocol endpoint for tests and benchmarks, built on librdkafka's
// mock cluster (rdkafka_mock.h). It listens on loopback, prints "BOOTSTRAP host:port,..." and
// then takes commands on stdin, one per line, answering "OK" or "ERROR <reason>":
//   topic <name> <partitions>      create a topic
//   down <broker id>               take a broker down (connections refused)
//   up <broker id>                 bring it back
//   leader <topic> <partition> <broker id>   move a partition's leader
// EOF or "quit" ends it.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
    int brokers = argc > 1 ? std::atoi(argv[1]) : 1;
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof(err));
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        std::fprintf(stderr, "cannot create a client: %s\n", err);
        return 1;
    }
    rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (!cluster) {
        std::fprintf(stderr, "cannot create the mock cluster\n");
        return 1;
    }
    std::printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(cluster));
    std::fflush(stdout);
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
        if (cmd == "quit") break;
        if (cmd == "topic") {
            std::string name;
            int partitions = 1;
            in >> name >> partitions;
            e = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
        } else if (cmd == "down" || cmd == "up") {
            int id = 0;
            in >> id;
            e = cmd == "down" ? rd_kafka_mock_broker_set_down(cluster, id) : rd_kafka_mock_broker_set_up(cluster, id);
        } else if (cmd == "leader") {
            std::string topic;
            int partition = 0, id = 0;
            in >> topic >> partition >> id;
            e = rd_kafka_mock_partition_set_leader(cluster, topic.c_str(), partition, id);
        } else if (!cmd.empty()) {
            std::printf("ERROR unknown command %s\n", cmd.c_str());
            std::fflush(stdout);
            continue;
        }
        if (e) {
            std::printf("ERROR %s\n", rd_kafka_err2str(e));
        } else {
            std::printf("OK\n");
        }
        std::fflush(stdout);
    }
    rd_kafka_mock_cluster_destroy(cluster);
    rd_kafka_destroy(rk);
    return 0;
}
