#!/usr/bin/env bash
# Installs every Debian package Floe's build, tests and benchmarks need, and the npm test tools.
# Idempotent: when everything is present it only checks and returns within a second.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev clang-format clang-tidy
  # libraries
  libboost-dev libboost-system-dev libfmt-dev libsqlite3-dev libssl-dev zlib1g-dev libroaring-dev liblz4-dev libzstd-dev libsimdjson-dev libre2-dev libabsl-dev tzdata
  thrift-compiler libthrift-dev libsnappy-dev libbrotli-dev librdkafka-dev libxxhash-dev
  # unit tests and micro benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # the sqllogictest runner's MySQL-protocol mode (libmariadb)
  libmariadb-dev
  # the cold tier: JDBC-layout Iceberg catalogs in PostgreSQL (libpq; tests start a real server)
  libpq-dev postgresql
  # the cold tier on object storage: S3 over libcurl; botocore checks Floe's SigV4 signer
  libcurl4-openssl-dev python3-botocore
  # integration tests: real MySQL clients
  kafkacat python3-confluent-kafka mariadb-client python3-pytest python3-pymysql python3-mysqldb python3-sqlalchemy
  python3-cryptography curl
  libmariadb-java default-jdk-headless golang-go golang-github-go-sql-driver-mysql-dev
  # benchmarks: the iceberg suite's generator writes its manifests with python3-avro; the Avro
  # oracle tests read manifests other engines compressed with snappy and zstandard
  python3-avro python3-snappy python3-zstandard
  # the web console's tests drive Debian's headless Chromium with playwright-core (npm)
  chromium
)
# node and npm: the machine image ships them (nodesource); Debian's own only when absent.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm test tools (node mysql2, DuckDB for the integration tests, s3rver as the S3 endpoint), kept inside the tree.
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -d "$here/test/integration/node_modules/mysql2" ] || [ ! -d "$here/test/integration/node_modules/@duckdb/node-api" ] ||
   [ ! -d "$here/test/integration/node_modules/s3rver" ] || [ ! -d "$here/test/integration/node_modules/playwright-core" ]; then
  echo "install-deps: installing npm test tools"
  (cd "$here/test/integration" && npm install --no-audit --no-fund --silent >/dev/null)
fi
