#!/usr/bin/env bash
# A local channels cluster: PostgreSQL, NATS, 3 web replicas and 1 webhooks worker, each a
# process of its own, everything under one directory.
#
#   examples/channels/cluster.sh start    # build, start everything, print the addresses
#   examples/channels/cluster.sh status   # which processes run
#   examples/channels/cluster.sh stop     # stop everything gracefully (data is kept)
#   examples/channels/cluster.sh clean    # stop, then delete the directory
#
# Settings (environment): CLUSTER_DIR (./channels-cluster), PG_PORT (54329), NATS_PORT (42229),
# WEB_PORT (8081: replicas on 8081, 8082, 8083), REPLICAS (3), WEBHOOK_URLS (none),
# CHANNELS_BIN (default: build with cargo and use target/debug/channels), PG_BIN (PostgreSQL's
# bin directory; default: the newest /usr/lib/postgresql/*/bin, else PATH).
# Needs PostgreSQL's server programs and nats-server (Debian: apt-get install postgresql
# nats-server). As root, PostgreSQL runs as `nobody` (it refuses to run as root).
set -euo pipefail

DIR=$(realpath -m "${CLUSTER_DIR:-./channels-cluster}")
PG_PORT=${PG_PORT:-54329}
NATS_PORT=${NATS_PORT:-42229}
WEB_PORT=${WEB_PORT:-8081}
REPLICAS=${REPLICAS:-3}
RUN="$DIR/run"

die() { echo "cluster.sh: $*" >&2; exit 1; }

pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
    local newest
    newest=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$newest" ]; then echo "$newest"; return; fi
    command -v initdb >/dev/null 2>&1 || die "PostgreSQL not found (apt-get install postgresql)"
    dirname "$(command -v initdb)"
}

# The prefix that runs a command as the unprivileged owner of the PostgreSQL files when we are
# root (setpriv execs the command: the recorded pid is PostgreSQL's own).
AS_PG_USER=()
if [ "$(id -u)" = 0 ]; then
    AS_PG_USER=(setpriv --reuid nobody --regid nogroup --clear-groups --)
fi

running() { [ -f "$RUN/$1.pid" ] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

wait_port() { # name port
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    die "$1 is not listening on port $2 (see $RUN/$1.log)"
}

start_daemon() { # name command...
    local name=$1; shift
    if running "$name"; then echo "$name already running"; return; fi
    "$@" >"$RUN/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
}

start() {
    command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] \
        || die "nats-server not found (apt-get install nats-server)"
    local bin pgbin
    pgbin=$(pg_bin)
    if [ -n "${CHANNELS_BIN:-}" ]; then
        bin=$CHANNELS_BIN
    else
        cargo build -q -p channels
        bin="$(cargo metadata --format-version 1 --no-deps \
            | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')/debug/channels"
    fi
    [ -x "$bin" ] || die "no channels binary at $bin"
    mkdir -p "$RUN"

    if [ ! -f "$DIR/postgres/PG_VERSION" ]; then
        mkdir -p "$DIR/postgres"
        [ "$(id -u)" = 0 ] && chown nobody:nogroup "$DIR/postgres" && chmod 700 "$DIR/postgres"
        "${AS_PG_USER[@]}" "$pgbin/initdb" -D "$DIR/postgres" -U postgres -A trust -E UTF8 \
            --no-instructions >"$RUN/initdb.log"
    fi
    [ "$(id -u)" = 0 ] && chown nobody:nogroup "$RUN" 2>/dev/null || true
    start_daemon postgres "${AS_PG_USER[@]}" "$pgbin/postgres" -D "$DIR/postgres" -p "$PG_PORT" \
        -k "$DIR/postgres" -c listen_addresses=127.0.0.1
    wait_port postgres "$PG_PORT"
    local nats
    nats=$(command -v nats-server || echo /usr/sbin/nats-server)
    start_daemon nats "$nats" -a 127.0.0.1 -p "$NATS_PORT"
    wait_port nats "$NATS_PORT"

    export CHANNELS_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    export CHANNELS_NATS_URL="nats://127.0.0.1:$NATS_PORT"
    export CHANNELS_DATA_DIR="$DIR/unused-sqlite"
    local i port
    for i in $(seq 1 "$REPLICAS"); do
        port=$((WEB_PORT + i - 1))
        CHANNELS_BIND="127.0.0.1:$port" start_daemon "web$i" "$bin" --components web
        wait_port "web$i" "$port"
    done
    CHANNELS_WEBHOOK_URLS="${WEBHOOK_URLS:-}" start_daemon worker "$bin" --components webhooks
    sleep 0.5
    running worker || die "the worker did not start (see $RUN/worker.log)"

    echo "PostgreSQL  $CHANNELS_DATABASE_URL"
    echo "NATS        $CHANNELS_NATS_URL"
    for i in $(seq 1 "$REPLICAS"); do echo "web$i        http://127.0.0.1:$((WEB_PORT + i - 1))"; done
    echo "worker      webhooks to: ${WEBHOOK_URLS:-(none)}"
    echo "logs in $RUN; stop with: $0 stop"
}

stop_one() { # name signal
    running "$1" || { rm -f "$RUN/$1.pid"; return 0; }
    local pid
    pid=$(cat "$RUN/$1.pid")
    kill "-$2" "$pid"
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$RUN/$1.pid"; echo "stopped $1"; return 0; }
        sleep 0.1
    done
    echo "$1 (pid $pid) did not stop within 20 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$RUN/$1.pid"
}

stop() {
    [ -d "$RUN" ] || { echo "no cluster in $DIR"; return 0; }
    # The channels processes first (they drain requests and deliveries), then the servers.
    local name
    for name in worker $(cd "$RUN" && ls web*.pid 2>/dev/null | sed 's/\.pid$//'); do
        stop_one "$name" TERM
    done
    stop_one nats TERM
    stop_one postgres INT # fast shutdown: ends sessions, checkpoints, exits
}

status() {
    [ -d "$RUN" ] || { echo "no cluster in $DIR"; return 0; }
    local pidfile name
    for pidfile in "$RUN"/*.pid; do
        [ -e "$pidfile" ] || continue
        name=$(basename "$pidfile" .pid)
        if running "$name"; then echo "$name running (pid $(cat "$pidfile"))"; else echo "$name stopped"; fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    clean) stop; rm -rf "$DIR"; echo "removed $DIR" ;;
    *) echo "usage: $0 start|status|stop|clean" >&2; exit 2 ;;
esac
