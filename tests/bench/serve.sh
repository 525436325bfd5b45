#!/usr/bin/env bash
# Serving: the hello WSGI app under gunicorn (2 sync workers), bare vs in the sandbox (with the
# embedded defaults, which hold an app to 1 CPU, and with its limits lifted), with wrk.
# Usage: [PORT1=18081] [PORT2=18082] [PORT3=18083] [DURATION=10s] tests/bench/serve.sh
. "$(dirname "$0")/common.sh"
need wrk gunicorn
build
port1=${PORT1:-18081} port2=${PORT2:-18082} port3=${PORT3:-18083} duration=${DURATION:-10s}

# gunicorn imports a module: the app as hello.py in its own app root.
install -m 644 "$repo/examples/hello-wsgi/index.wsgi" "$approot/hello.py"

serve_until_exit

gunicorn -w 2 -b "127.0.0.1:$port1" --chdir "$approot" hello:application >"$out/serve-bare.log" 2>&1 &
pids+=($!)
"$repo/bin/sandbox-run" --app benchweb --app-root "$approot" --listen "127.0.0.1:$port2" \
    -- gunicorn -w 2 hello:application >"$out/serve-sandbox.log" 2>&1 &
pids+=($!)
"$repo/bin/sandbox-run" --app benchweb-max --app-root "$approot" --listen "127.0.0.1:$port3" \
    --cpus max --memory max --pids max -- gunicorn -w 2 hello:application >"$out/serve-sandbox-max.log" 2>&1 &
pids+=($!)

# Ready when it answers (a --listen socket accepts before gunicorn runs, so connecting is not enough).
ready() {
    python3 - "$1" <<'PY' || { echo "server on port $1 did not answer; log in $out" >&2; exit 1; }
import sys, time, urllib.request
for _ in range(300):
    try:
        if urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/", timeout=1).read() == b"hello, world!\n":
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY
}
ready "$port1"
ready "$port2"
ready "$port3"

# bench NAME PORT: 2 s warm-up, then the measured run; prints requests/s.
bench() {
    local url="http://127.0.0.1:$2/" res rps
    wrk -t2 -c32 -d2s "$url" >/dev/null
    res=$(wrk -t2 -c32 -d"$duration" "$url")
    echo "$res" >>"$out/serve-wrk.txt"
    if grep -q "Non-2xx" <<<"$res"; then echo "$1: non-2xx responses:"$'\n'"$res" >&2; exit 1; fi
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$res")
    [ -n "$rps" ] || { echo "$1: no result from wrk:"$'\n'"$res" >&2; exit 1; }
    echo "$rps"
}

: >"$out/serve-wrk.txt"
results=""
for round in 1 2; do
    a=$(bench bare "$port1")
    b=$(bench sandbox "$port2")
    c=$(bench sandbox-max "$port3")
    results+="$round $a $b $c"$'\n'
done
printf '%s' "$results" | awk '
    BEGIN { printf "%-6s %12s %16s %8s %16s %8s\n", "round", "bare req/s", "sandbox (1 CPU)", "ratio",
                   "sandbox (max)", "ratio" }
    { printf "%-6s %12.0f %16.0f %8.3f %16.0f %8.3f\n", $1, $2, $3, $3 / $2, $4, $4 / $2; a += $2; b += $3; c += $4 }
    END { printf "%-6s %12.0f %16.0f %8.3f %16.0f %8.3f\n", "mean", a / NR, b / NR, b / a, c / NR, c / a }'
echo "(ratio = sandbox/bare; 1 CPU: the embedded default; max: --cpus max --memory max --pids max;"
echo " wrk -t2 -c32 -d$duration after -d2s warm-up; wrk output in $out/serve-wrk.txt)"

stop_servers
if ss -ltnH "( sport = :$port1 or sport = :$port2 or sport = :$port3 )" | grep -q .; then
    echo "a server is still listening after stop" >&2; exit 1
fi
