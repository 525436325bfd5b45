package io.sandboxrun.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.Protection;
import io.sandboxrun.core.launch.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/** The {@code --result-json} document: how an instance ended, for a worker to read instead of logs. */
public final class ResultJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Bumped when a field changes meaning or goes away; new fields do not bump it. */
    public static final int SCHEMA = 1;

    public static ObjectNode toJson(RunResult r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("schema", SCHEMA);
        n.put("app", r.app());
        n.put("instance", r.instance());
        n.put("exit_code", r.exitCode());
        r.code().ifPresentOrElse(c -> n.put("code", c), () -> n.putNull("code"));
        r.signal().ifPresentOrElse(s -> n.put("signal", s), () -> n.putNull("signal"));
        n.put("core_dumped", r.coreDumped());
        n.put("wall_time_ms", r.wallTime().toNanos() / 1e6);
        n.put("ended_by", r.ending().reason().word());
        if (r.ending().limit() == null) n.putNull("ended_by_limit");
        else n.put("ended_by_limit", r.ending().limit());
        n.put("escalated", r.ending().escalated());
        ObjectNode p = n.putObject("protections");
        for (Protection pr : r.protections()) {
            ObjectNode w = p.putObject(pr.wall());
            w.put("status", pr.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            w.put("detail", pr.detail());
        }
        ArrayNode denied = n.putArray("denied_syscalls");
        for (var d : r.denials()) {
            ObjectNode o = denied.addObject();
            o.put("syscall", d.syscall());
            o.put("errno", d.errno());
            o.put("count", d.count());
            ArrayNode ex = o.putArray("examples");
            d.examples().forEach(ex::add);
        }
        r.failure().ifPresentOrElse(f -> {
            ObjectNode e = n.putObject("failure");
            e.put("stage", f.stage());
            e.put("step", f.step());
            e.put("errno", f.errno());
            e.put("message", f.message());
        }, () -> n.putNull("failure"));
        n.put("oom_killed", r.oomKilled());
        r.usage().ifPresentOrElse(u -> usage(n.putObject("usage"), u), () -> n.putNull("usage"));
        r.network().ifPresentOrElse(t -> {
            ObjectNode o = n.putObject("network");
            o.put("connections_allowed", t.allowed());
            o.put("connections_denied", t.denied());
            o.put("connections_local", t.local());
            o.put("bytes_in", t.bytesIn());
            o.put("bytes_out", t.bytesOut());
        }, () -> n.putNull("network"));
        return n;
    }

    /**
     * The cgroup's figures; a figure this host's cgroups do not report is {@code null}, never 0.
     * Also the shape of {@code sandbox-run stats --json}.
     */
    public static void usage(ObjectNode o, CgroupStats u) {
        put(o, "memory_bytes", u.memoryCurrent());
        put(o, "memory_peak_bytes", u.memoryPeak());
        put(o, "oom_kills", u.oomKills());
        put(o, "cpu_usec", u.cpuUsageUsec());
        put(o, "cpu_user_usec", u.cpuUserUsec());
        put(o, "cpu_system_usec", u.cpuSystemUsec());
        put(o, "cpu_throttled_usec", u.throttledUsec());
        put(o, "cpu_throttled_periods", u.throttledPeriods());
        put(o, "pids", u.pidsCurrent());
        put(o, "pids_peak", u.pidsPeak());
        put(o, "pids_limit_hits", u.pidsLimitHits());
        ObjectNode psi = o.putObject("pressure");
        u.pressure().forEach((resource, p) -> {
            ObjectNode r = psi.putObject(resource);
            r.put("some_avg10", p.someAvg10());
            r.put("some_avg60", p.someAvg60());
            r.put("some_total_usec", p.someTotalUsec());
            if (p.fullAvg10() != null) r.put("full_avg10", p.fullAvg10());
            if (p.fullTotalUsec() != null) r.put("full_total_usec", p.fullTotalUsec());
        });
    }

    private static void put(ObjectNode o, String key, Long v) {
        if (v == null) o.putNull(key);
        else o.put(key, v);
    }

    /** Writes atomically (temp file + rename) so a reader never sees half a document. */
    public static void write(RunResult r, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Path tmp = abs.resolveSibling("." + abs.getFileName() + ".tmp");
        JSON.writeValue(tmp.toFile(), toJson(r));
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private ResultJson() {}
}
