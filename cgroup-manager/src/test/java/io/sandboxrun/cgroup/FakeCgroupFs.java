package io.sandboxrun.cgroup;

import io.sandboxrun.core.linux.Errno;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cgroup filesystem made of plain files in a temp dir, for the drivers' unit tests. A real
 * cgroupfs makes the control files of a new cgroup itself; here {@link #mkdir} does, from what the
 * parent's {@code cgroup.subtree_control} enables (v2) or what the mount carries (v1). Writes to
 * the files the kernel interprets ({@code cgroup.subtree_control}, {@code cgroup.procs},
 * {@code cgroup.freeze}, {@code cgroup.kill}) act like the kernel's; the ownership mark lives in a
 * map (a trusted.* xattr would need root). Every successful write is logged, and any operation can
 * be made to fail.
 */
class FakeCgroupFs extends CgroupFs {
    /** The kernel's order in cgroup.controllers. */
    static final List<String> V2_ORDER = List.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc");

    /** One successful write: which file, what value. */
    record Write(Path file, String value) {
        @Override public String toString() { return file + " <- " + value; }
    }

    private final Path unifiedMount;
    private final Map<Path, Set<String>> v1Mounts = new LinkedHashMap<>();
    final Map<Path, String> marks = new ConcurrentHashMap<>();
    final List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    final List<Path> mkdirs = Collections.synchronizedList(new ArrayList<>());

    /** Returns an errno to fail the operation with, or 0. */
    volatile Function<Path, Integer> failMkdir = d -> 0;
    volatile Function<Path, Integer> failMark = d -> 0;
    volatile BiFunction<Path, String, Integer> failWrite = (f, v) -> 0;

    /** A cgroup2 mount at {@code mount} whose top cgroup offers and enables {@code controllers}. */
    static FakeCgroupFs v2(Path mount, String... controllers) {
        FakeCgroupFs fs = new FakeCgroupFs(mount);
        fs.top(mount);
        String list = String.join(" ", controllers);
        fs.put(mount.resolve("cgroup.controllers"), list + "\n");
        fs.put(mount.resolve("cgroup.subtree_control"), list + "\n");
        return fs;
    }

    FakeCgroupFs(Path unifiedMount) {
        this.unifiedMount = unifiedMount;
    }

    /** Adds a v1 hierarchy carrying {@code controllers} at {@code mount}. */
    FakeCgroupFs v1(Path mount, String... controllers) {
        v1Mounts.put(mount, Set.of(controllers));
        top(mount);
        populate(mount);
        return this;
    }

    /** The mountinfo line of each fake mount. */
    String mountinfo() {
        StringBuilder b = new StringBuilder();
        int id = 100;
        for (Map.Entry<Path, Set<String>> e : v1Mounts.entrySet()) {
            b.append(id++).append(" 31 0:").append(id).append(" / ").append(e.getKey())
                    .append(" rw,nosuid,nodev,noexec,relatime shared:").append(id).append(" - cgroup cgroup rw,")
                    .append(String.join(",", e.getValue())).append('\n');
        }
        if (unifiedMount != null) {
            b.append(id).append(" 31 0:").append(id).append(" / ").append(unifiedMount)
                    .append(" rw,nosuid,nodev,noexec,relatime shared:").append(id).append(" - cgroup2 cgroup2 rw,nsdelegate\n");
        }
        return b.toString();
    }

    private void top(Path mount) {
        try {
            Files.createDirectories(mount);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        put(mount.resolve("cgroup.procs"), "");
    }

    @Override
    public boolean mkdir(Path dir) {
        int errno = failMkdir.apply(dir);
        if (errno != 0) throw CgroupException.of("cannot create cgroup", dir, errno, "injected");
        boolean made = super.mkdir(dir);
        if (made) {
            mkdirs.add(dir);
            populate(dir);
        }
        return made;
    }

    /** The control files the kernel would give a new cgroup in {@code dir}. */
    private void populate(Path dir) {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("cgroup.procs", "");
        Optional<Map.Entry<Path, Set<String>>> v1 = v1Mounts.entrySet().stream()
                .filter(e -> dir.startsWith(e.getKey())).findFirst();
        if (v1.isPresent()) {
            files.put("tasks", "");
            Set<String> c = v1.get().getValue();
            if (c.contains("memory")) {
                files.put("memory.limit_in_bytes", "9223372036854771712\n");
                files.put("memory.memsw.limit_in_bytes", "9223372036854771712\n");
                files.put("memory.usage_in_bytes", "0\n");
                files.put("memory.max_usage_in_bytes", "0\n");
                files.put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
            }
            if (c.contains("cpu")) {
                files.put("cpu.cfs_period_us", "100000\n");
                files.put("cpu.cfs_quota_us", "-1\n");
                files.put("cpu.shares", "1024\n");
                files.put("cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n");
            }
            if (c.contains("cpuacct")) files.put("cpuacct.usage", "0\n");
            if (c.contains("pids")) {
                files.put("pids.max", "max\n");
                files.put("pids.current", "0\n");
                files.put("pids.events", "max 0\n");
            }
            if (c.contains("blkio")) {
                for (String f : List.of("read_bps_device", "write_bps_device", "read_iops_device", "write_iops_device")) {
                    files.put("blkio.throttle." + f, "");
                }
            }
            if (c.contains("freezer")) files.put("freezer.state", "THAWED\n");
        } else {
            Set<String> enabled = ControlFiles.words(readIfPresent(dir.getParent().resolve("cgroup.subtree_control")));
            files.put("cgroup.controllers", String.join(" ", enabled) + "\n");
            files.put("cgroup.subtree_control", "\n");
            files.put("cgroup.events", "populated 0\nfrozen 0\n");
            files.put("cgroup.freeze", "0\n");
            files.put("cgroup.kill", "");
            files.put("cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
            files.put("cpu.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
            if (enabled.contains("memory")) {
                files.put("memory.max", "max\n");
                files.put("memory.high", "max\n");
                files.put("memory.swap.max", "max\n");
                files.put("memory.current", "0\n");
                files.put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
            }
            if (enabled.contains("cpu")) {
                files.put("cpu.max", "max 100000\n");
                files.put("cpu.weight", "100\n");
            }
            if (enabled.contains("pids")) {
                files.put("pids.max", "max\n");
                files.put("pids.current", "0\n");
                files.put("pids.events", "max 0\n");
            }
            if (enabled.contains("io")) files.put("io.max", "");
        }
        files.forEach((name, text) -> {
            if (!Files.exists(dir.resolve(name))) put(dir.resolve(name), text);
        });
    }

    @Override
    public void write(Path file, String value) {
        int errno = failWrite.apply(file, value);
        if (errno != 0) throw CgroupException.of("cannot write \"" + value + "\" to", file, errno, "injected");
        String name = file.getFileName().toString();
        Path dir = file.getParent();
        switch (name) {
            case "cgroup.subtree_control" -> {
                Set<String> offered = ControlFiles.words(readIfPresent(dir.resolve("cgroup.controllers")));
                Set<String> on = new LinkedHashSet<>(ControlFiles.words(readIfPresent(file)));
                for (String w : value.trim().split("\\s+")) {
                    String c = w.substring(1);
                    if (!offered.contains(c)) throw CgroupException.of("cannot write \"" + value + "\" to", file, Errno.ENOENT, null);
                    if (w.startsWith("+")) on.add(c);
                    else on.remove(c);
                }
                put(file, V2_ORDER.stream().filter(on::contains).collect(Collectors.joining(" ")) + "\n");
            }
            case "cgroup.procs" -> {
                super.write(file, value);   // ENOENT like the kernel when the cgroup is gone
                Set<String> pids = new LinkedHashSet<>(List.of(read(file).split("\n")));
                pids.remove("");
                pids.add(value.trim());
                put(file, pids.stream().map(p -> p + "\n").collect(Collectors.joining()));
                setEvents(dir, "populated", "1");
            }
            case "cgroup.freeze" -> {
                super.write(file, value);
                setEvents(dir, "frozen", value.trim());
            }
            case "cgroup.kill" -> {
                super.write(file, value);
                put(dir.resolve("cgroup.procs"), "");
                setEvents(dir, "populated", "0");
            }
            default -> super.write(file, value);
        }
        writes.add(new Write(file, value));
    }

    private void setEvents(Path dir, String key, String value) {
        Map<String, Long> ev = new LinkedHashMap<>(Map.of("populated", 0L, "frozen", 0L));
        readIfPresent(dir.resolve("cgroup.events")).map(ControlFiles::keyed).ifPresent(ev::putAll);
        if (!Files.exists(dir.resolve("cgroup.events"))) return;
        ev.put(key, Long.parseLong(value));
        put(dir.resolve("cgroup.events"), "populated " + ev.get("populated") + "\nfrozen " + ev.get("frozen") + "\n");
    }

    /** Like the kernel: a cgroup goes with its control files; EBUSY while it has processes or children. */
    @Override
    public int rmdir(Path dir) {
        if (!Files.isDirectory(dir)) return Errno.ENOENT;
        if (!children(dir).isEmpty()) return Errno.EBUSY;
        if (!readIfPresent(dir.resolve("cgroup.procs")).orElse("").isBlank()) return Errno.EBUSY;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) Files.delete(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int errno = super.rmdir(dir);
        if (errno == 0) marks.remove(dir);
        return errno;
    }

    @Override
    public void mark(Path dir, String value) {
        int errno = failMark.apply(dir);
        if (!Files.isDirectory(dir)) errno = Errno.ENOENT;
        if (errno != 0) throw CgroupException.of("cannot mark cgroup", dir, errno, "injected");
        marks.put(dir, value);
    }

    @Override
    public Optional<String> marker(Path dir) {
        return Optional.ofNullable(marks.get(dir));
    }

    /** Writes {@code text} as the content of {@code file}, as the kernel would show it. */
    void put(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The writes to files under {@code dir}, as "relative/path <- value". */
    List<String> writesUnder(Path dir) {
        return writes.stream().filter(w -> w.file().startsWith(dir))
                .map(w -> dir.relativize(w.file()) + " <- " + w.value()).toList();
    }

    String text(Path file) {
        return read(file).trim();
    }
}
