#!/usr/bin/env bash
# Outbound proxy: bulk throughput each way and fresh-connection request latency to a loopback
# server, direct vs from an app in sandbox-run (--allow: notified connect + proxy) vs through a
# socat relay vs through an HAProxy relay (mode tcp). One C client and server for all four.
# Usage: [BYTES=1073741824] [REQUESTS=2000] [ROUNDS=3] tests/bench/proxy.sh
. "$(dirname "$0")/common.sh"
need socat haproxy gcc libc6-dev
build
bytes=${BYTES:-1073741824} requests=${REQUESTS:-2000} rounds=${ROUNDS:-3}
server=127.0.0.2

gcc -O2 -std=c11 -Wall -Wextra -Werror -o "$approot/tcpbench" "$repo/tests/bench/tcpbench.c"
chmod 755 "$approot/tcpbench"

serve_until_exit

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server KIND: a tcpbench server on $server, which writes its port to proxy-KIND.port once it listens.
start_server() {
    local f="$out/proxy-$1.port"
    : >"$f"
    "$approot/tcpbench" "serve-$1" "$server" >"$f" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$f" ] && return 0; sleep 0.05; done
    echo "tcpbench serve-$1 did not start" >&2
    exit 1
}
start_server bulk
start_server http
bulk_port=$(cat "$out/proxy-bulk.port") http_port=$(cat "$out/proxy-http.port")

# The relays listen on 127.0.0.1 and forward to the servers.
socat_bulk=$(free_port) socat_http=$(free_port)
socat TCP-LISTEN:"$socat_bulk",bind=127.0.0.1,fork,reuseaddr TCP:"$server:$bulk_port" &
pids+=($!)
socat TCP-LISTEN:"$socat_http",bind=127.0.0.1,fork,reuseaddr TCP:"$server:$http_port" &
pids+=($!)
haproxy_bulk=$(free_port) haproxy_http=$(free_port)
cat >"$out/proxy-haproxy.cfg" <<EOF
global
    maxconn 4096
defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s
listen bulk
    bind 127.0.0.1:$haproxy_bulk
    server s $server:$bulk_port
listen http
    bind 127.0.0.1:$haproxy_http
    server s $server:$http_port
EOF
haproxy -db -f "$out/proxy-haproxy.cfg" >"$out/proxy-haproxy.log" 2>&1 &
pids+=($!)

# The sandboxed client: the app connects to the server's own address; no bandwidth or rate limit
# (the defaults would cap it at 10 MiB/s and 20 connections/s), no audit log.
sandboxed() {
    "$repo/bin/sandbox-run" --app benchproxy --app-root "$approot" \
        --allow "tcp:$server/32:$bulk_port" --allow "tcp:$server/32:$http_port" \
        --net-rate 100000 --net-burst 100000 --bandwidth-in unlimited --bandwidth-out unlimited \
        -- ./tcpbench "$@"
}

# client PATH ARGS...: tcpbench on PATH's route; ARGS name the server as direct clients see it.
client() {
    local path=$1 verb=$2 port=$3
    shift 3
    case "$path:$verb" in
        direct:*) "$approot/tcpbench" "$verb" "$server" "$port" "$@" ;;
        sandbox:*) sandboxed "$verb" "$server" "$port" "$@" ;;
        socat:bulk) "$approot/tcpbench" "$verb" 127.0.0.1 "$socat_bulk" "$@" ;;
        socat:requests) "$approot/tcpbench" "$verb" 127.0.0.1 "$socat_http" "$@" ;;
        haproxy:bulk) "$approot/tcpbench" "$verb" 127.0.0.1 "$haproxy_bulk" "$@" ;;
        haproxy:requests) "$approot/tcpbench" "$verb" 127.0.0.1 "$haproxy_http" "$@" ;;
    esac
}

# Warm-up: each route once (the relays' first connection, the CLI's class-data archive).
for path in direct sandbox socat haproxy; do
    client "$path" bulk "$bulk_port" up $((64 << 20)) >/dev/null
    client "$path" requests "$http_port" 100 >/dev/null
done

results="$out/proxy-results.txt"
: >"$results"
for round in $(seq "$rounds"); do
    for path in direct sandbox socat haproxy; do   # interleaved, so drift spreads over all four
        echo "$round $path up $(client "$path" bulk "$bulk_port" up "$bytes")" >>"$results"
        echo "$round $path down $(client "$path" bulk "$bulk_port" down "$bytes")" >>"$results"
        echo "$round $path requests $(client "$path" requests "$http_port" "$requests")" >>"$results"
    done
done

python3 - "$results" "$bytes" "$requests" "$rounds" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
paths = ["direct", "sandbox", "socat", "haproxy"]
def med(path, kind, col):
    return statistics.median(float(r[3 + col]) for r in rows if r[1] == path and r[2] == kind)
print("%-8s %10s %10s %9s %9s %9s %9s %9s %9s" % ("route", "up MiB/s", "down MiB/s", "req p50", "req p99",
      "conn p50", "conn p99", "1st p50", "1st p99"))
for p in paths:
    print("%-8s %10.0f %10.0f %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f" % (p, med(p, "up", 1), med(p, "down", 1),
          *(med(p, "requests", c) for c in range(6))))
d, s = "direct", "sandbox"
print()
print("sandbox vs direct: up %.2fx, down %.2fx of direct's throughput; added per connection: connect() %+.0f µs,"
      " connect to first byte %+.0f µs (p50), %+.0f µs (p99)" % (
      med(s, "up", 1) / med(d, "up", 1), med(s, "down", 1) / med(d, "down", 1),
      med(s, "requests", 2) - med(d, "requests", 2), med(s, "requests", 4) - med(d, "requests", 4),
      med(s, "requests", 5) - med(d, "requests", 5)))
print("(medians of %s rounds; bulk %d bytes on one connection; %s sequential requests, each on a fresh"
      " connection; latencies in µs)" % (sys.argv[4], int(sys.argv[2]), sys.argv[3]))
PY
