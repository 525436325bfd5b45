package io.sandboxrun.launcher;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ArrayNode notes = n.putArray("not_measured_yet");
        notes.add("cpu_time, peak_memory, oom_killed, pids_peak: cgroups (issue 5)");
        notes.add("network counters: proxy (issue 6)");
        return n;
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
