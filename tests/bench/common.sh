# Sourced by the benchmark scripts (bash): repo paths, the tools they need, the build.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out="$repo/tests/target/bench"
mkdir -p "$out"
dist="$repo/launcher/target/sandbox-run"

# need PACKAGE...: installs the Debian packages not installed yet (benchmarks only, never tests).
need() {
    local missing=()
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing: ${missing[*]}" >&2
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
}

# Builds and installs every module (incremental, so quick when up to date): the distribution,
# the helper and what `-pl tests` resolves from ~/.m2 are then all of this checkout.
build() {
    (cd "$repo" && { mvn -B -q -o install -DskipTests || mvn -B -q install -DskipTests; })
}

# A fresh app root, mode 0755, removed on exit.
approot=$(mktemp -d /tmp/sandbox-bench-XXXXXX)
chmod 755 "$approot"
cleanup_approot() { rm -rf "$approot"; }
trap cleanup_approot EXIT

# Background servers a script starts: add each one's pid to `pids`; stop_servers ends them (TERM,
# then waits) and, on exit, removes the app root too. Call serve_until_exit once to arm that.
pids=()
stop_servers() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
serve_until_exit() {
    trap 'stop_servers; cleanup_approot' EXIT
    trap 'exit 130' INT TERM
}

BWRAP=(bwrap --unshare-all --die-with-parent --new-session --ro-bind /usr /usr --symlink usr/bin /bin
    --symlink usr/lib /lib --symlink usr/lib64 /lib64 --symlink usr/sbin /sbin
    --ro-bind /etc/ld.so.cache /etc/ld.so.cache --proc /proc --dev /dev --tmpfs /tmp
    --ro-bind "$approot" /app --chdir /app)
