#!/usr/bin/env bash
# CLI cold start: bin/sandbox-run (AppCDS, JDK CDS only, no CDS; without and with a policy file)
# vs bwrap vs JVM floors (hyperfine).
. "$(dirname "$0")/common.sh"
need bubblewrap hyperfine
build
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
jvm=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)          # bin/sandbox-run's own flags
jsa="$dist/sandbox-run.jsa"
main=(--enable-native-access=ALL-UNNAMED -cp "$dist/lib/*" io.sandboxrun.launcher.cli.Main
    --app-root "$approot" -- /bin/true)

# bin/sandbox-run makes its AppCDS archive on its first run after a build; an archive that does
# not match the jars is silently not used. Make sure the one measured matches them.
if ! "$java" "${jvm[@]}" -Xshare:on -XX:SharedArchiveFile="$jsa" -cp "$dist/lib/*" -version >/dev/null 2>&1; then
    echo "AppCDS archive missing or stale: recreating it with one bin/sandbox-run run" >&2
    rm -f "$jsa"
    "$repo/bin/sandbox-run" --app-root "$approot" -- /bin/true
    "$java" "${jvm[@]}" -Xshare:on -XX:SharedArchiveFile="$jsa" -cp "$dist/lib/*" -version >/dev/null 2>&1 \
        || { echo "the AppCDS archive bin/sandbox-run made is not usable" >&2; exit 1; }
fi

# A policy file as an app brings one: a few settings of each section, read with databind.
policy="$approot/sandbox.yaml"
cat >"$policy" <<'YAML'
app: bench
tmp-size: 32M
env: {GREETING: hello}
limits: {memory: 256M, cpus: 0.5, pids: 128}
network:
  allow: [tcp:10.0.0.0/8:443, host:api.example.com:443]
  rates: {connections-per-second: 50, burst: 100}
YAML
chmod 644 "$policy"

hello="$out/hello"
mkdir -p "$hello"
printf 'public class Hello { public static void main(String[] a) { System.out.println("hello"); } }\n' >"$hello/Hello.java"
javac -d "$hello" "$hello/Hello.java"

q() { printf '%q ' "$@"; }   # one hyperfine command line, quoted for its word splitting
hyperfine -N --warmup 3 --runs 30 --export-json "$out/cli.json" \
    -n "sandbox-run (AppCDS)" "$(q "$repo/bin/sandbox-run" --app-root "$approot" -- /bin/true)" \
    -n "sandbox-run --policy FILE (AppCDS)" "$(q "$repo/bin/sandbox-run" --policy "$policy" --app-root "$approot" -- /bin/true)" \
    -n "sandbox-run, JDK CDS only" "$(q "$java" "${jvm[@]}" -Xshare:auto "${main[@]}")" \
    -n "sandbox-run, -Xshare:off" "$(q "$java" "${jvm[@]}" -Xshare:off "${main[@]}")" \
    -n "bwrap" "$(q "${BWRAP[@]}" /bin/true)" \
    -n "JVM hello (same flags, JDK CDS)" "$(q "$java" "${jvm[@]}" -Xshare:auto -cp "$hello" Hello)" \
    -n "java -version" "$(q "$java" -version)"

python3 - "$out/cli.json" <<'PY'
import json, sys
rs = json.load(open(sys.argv[1]))["results"]
bw = next(r for r in rs if r["command"] == "bwrap")
print(f"\n{'':36} {'mean ms':>9} {'± sd':>7} {'median':>8} {'min':>8}  {'x bwrap':>8}")
for r in rs:
    print(f"{r['command']:36} {r['mean']*1e3:9.1f} {r['stddev']*1e3:7.1f} {r['median']*1e3:8.1f}"
          f" {r['min']*1e3:8.1f}  {r['mean']/bw['mean']:8.1f}")
PY
