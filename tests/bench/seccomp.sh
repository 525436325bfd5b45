#!/usr/bin/env bash
# Seccomp costs: (a) per-syscall cost of each bundled filter (getppid, and ioctl whose rules make the
# program run), bare vs filtered, binary tree on/off, also inside sandbox-run; (b) profile compile
# time cold vs FilterCache hits, and a refused call's round trip through a warm runtime
# (SeccompBench); (c) a notified refusal from the CLI vs an in-kernel refusal, and a C listener's floor.
# Usage: tests/bench/seccomp.sh     env: ROUNDS=3 N=10000000 NOTIFY_N=20000
. "$(dirname "$0")/common.sh"
need gcc libc6-dev
build
rounds=${ROUNDS:-3}
n=${N:-10000000}
notify_n=${NOTIFY_N:-20000}
sr="$repo/bin/sandbox-run"
bench="$(dirname "$0")"
w="$out/seccomp"
rm -rf "$w"
mkdir -p "$w"
raw="$w/raw.txt"
: >"$raw"

gcc -O2 -Wall -o "$w/filter-loop" "$bench/filter-loop.c"
gcc -O2 -Wall -static -o "$approot/filter-loop" "$bench/filter-loop.c"
chmod 755 "$approot/filter-loop"
gcc -O2 -Wall -pthread -o "$w/notify-floor" "$bench/notify-floor.c"
for p in default python strict; do
    "$sr" seccomp compile "$p" -o "$w/$p.bpf" | tee -a "$w/compile.txt"
    "$sr" seccomp compile "$p" -o "$w/$p-linear.bpf" --no-binary-tree | tee -a "$w/compile.txt"
done

ns() { sed -n 's/.*"ns_per_call":\([0-9.]*\).*/\1/p'; }
# record KEY COMMAND...: runs it, appends "KEY ns_per_call" to the raw file.
record() {
    local key=$1; shift
    local v
    v=$("$@" | ns)
    [ -n "$v" ] || { echo "no figure from: $*" >&2; exit 1; }
    echo "$key $v" >>"$raw"
}

echo "(a) per-syscall cost: $rounds rounds of N=$n, interleaved" >&2
for r in $(seq "$rounds"); do
    for s in getppid ioctl; do
        record "bare/$s" "$w/filter-loop" - "$n" "$s"
        for p in default python strict; do
            record "$p/$s" "$w/filter-loop" "$w/$p.bpf" "$n" "$s"
            record "$p-linear/$s" "$w/filter-loop" "$w/$p-linear.bpf" "$n" "$s"
            record "sandbox-$p/$s" "$sr" --app-root "$approot" --seccomp "$p" -- ./filter-loop - "$n" "$s"
        done
    done
done

echo "(c) refused calls: notified (CLI launcher) vs in the kernel; C listener floor" >&2
for r in $(seq "$rounds"); do
    record "notified-cli/chroot" "$sr" --app-root "$approot" --seccomp default -- ./filter-loop - "$notify_n" chroot
    record "sandbox-default/clone3" "$sr" --app-root "$approot" --seccomp default -- ./filter-loop - 1000000 clone3
    record "kernel-errno/chroot" "$w/filter-loop" "$w/default.bpf" 1000000 chroot
    for m in direct epoll sync epoll-sync; do
        record "floor-$m/chroot" "$w/notify-floor" "$notify_n" "$m"
    done
done

python3 - "$raw" <<'PY' | tee "$w/tables.txt"
import statistics, sys
v = {}
for line in open(sys.argv[1]):
    k, x = line.split()
    v.setdefault(k, []).append(float(x))
m = {k: statistics.median(xs) for k, xs in v.items()}
print("\n(a) per-syscall cost, ns per call (median of rounds); x bare = ratio to no filter")
print(f"{'':34} {'getppid':>9} {'x bare':>7}   {'ioctl':>9} {'x bare':>7}")
rows = [("bare (no filter)", "bare")]
for p in ("default", "python", "strict"):
    rows += [(f"{p}, binary tree", p), (f"{p}, linear (--no-binary-tree)", f"{p}-linear"),
             (f"{p}, in sandbox-run", f"sandbox-{p}")]
for label, k in rows:
    g, i = m[k + "/getppid"], m[k + "/ioctl"]
    print(f"{label:34} {g:9.1f} {g / m['bare/getppid']:7.2f}   {i:9.1f} {i / m['bare/ioctl']:7.2f}")
print("\n(c) a refused chroot: notified vs refused in the kernel, per call: median (min-max of rounds)")
kern = m["kernel-errno/chroot"]
print(f"{'':58} {'median':>9} {'range':>17} {'x kernel':>9}")
for label, k in [("sandbox-run CLI, default: notified, launcher answers EPERM", "notified-cli/chroot"),
                 ("C listener thread, blocking RECV (floor)", "floor-direct/chroot"),
                 ("C listener thread, epoll then RECV (floor)", "floor-epoll/chroot"),
                 ("C listener, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP", "floor-sync/chroot"),
                 ("C listener, epoll + SYNC_WAKE_UP", "floor-epoll-sync/chroot")]:
    lo, hi = min(v[k]) / 1e3, max(v[k]) / 1e3
    print(f"{label:58} {m[k] / 1e3:6.2f} µs {lo:7.2f}-{hi:6.2f} µs {m[k] / kern:9.0f}")
print(f"{'in-kernel ERRNO (default.bpf as compiled, chroot -> EPERM)':58} {kern:6.0f} ns {'':17} {1:9.0f}")
print(f"{'in-kernel ENOSYS in sandbox-run (clone3)':58} {m['sandbox-default/clone3']:6.0f} ns {'':17}"
      f" {m['sandbox-default/clone3'] / kern:9.1f}")
PY

echo "(b) compile time and a warm runtime's round trip (SeccompBench)" >&2
offline=()
[ -d "$HOME/.m2/repository/org/codehaus/mojo/build-helper-maven-plugin/3.6.0" ] && offline=(-o)
cd "$repo"
mvn -B -q "${offline[@]}" -pl tests -Pbench test-compile exec:exec@seccomp-bench \
    -Dbench.filterLoop="$approot/filter-loop" "$@" | tee "$w/java.txt"
