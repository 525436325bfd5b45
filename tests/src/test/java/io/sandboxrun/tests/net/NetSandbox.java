package io.sandboxrun.tests.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.policy.NetRule;
import io.sandboxrun.core.policy.NetValues;
import io.sandboxrun.core.policy.NetworkPolicy;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.testing.RequirementsExtension;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The Net*IT tests' sandbox: a {@link Harness} whose app root holds netprobe.py, network policies
 * with an audit log each, and the probe's step lines and audit lines read back.
 */
final class NetSandbox implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** No bandwidth shaping, rates far above what a test does: only the tests of limits set them. */
    static final NetworkPolicy.Rates UNLIMITED =
            new NetworkPolicy.Rates(NetValues.RATE_MAX, NetValues.RATE_MAX, NetworkPolicy.OverLimit.REFUSE, 4096, 0L, 0L);

    final Harness h = new Harness();
    private final Path auditDir = h.newDir("audit");
    private int audits;

    NetSandbox() {
        try {
            Path src = Harness.repo().resolve("tests/src/test/probes/netprobe.py");
            TestDirs.write(h.appRoot, "netprobe.py", Files.readString(src), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A network policy with {@code allow} (rule texts as for --allow), a fresh audit log, no limits. */
    NetworkPolicy network(String... allow) {
        List<NetRule> rules = Arrays.stream(allow).map(r -> NetValues.rule("--allow", r)).toList();
        return PolicyDefaults.network().withAllow(rules).withRates(UNLIMITED).withAuditLog(newAuditLog());
    }

    Path newAuditLog() {
        return auditDir.resolve("audit-" + (++audits) + ".jsonl");
    }

    /** A policy for a fresh app running netprobe.py with {@code steps}. */
    Policy policy(String prefix, NetworkPolicy net, String... steps) {
        List<String> cmd = new ArrayList<>(List.of("python3", "netprobe.py"));
        cmd.addAll(List.of(steps));
        return h.policy(Harness.appName(prefix), cmd).withNetwork(net);
    }

    Probe run(String prefix, NetworkPolicy net, String... steps) {
        Policy p = policy(prefix, net, steps);
        return new Probe(p.app(), h.run(p), new Audit(net.auditLog()));
    }

    /** A test that needs something this host lacks: fail in strict mode, else skip with the reason. */
    static void requireOrSkip(boolean met, String reason) {
        if (!met) System.err.println("skipping: " + reason);
        RequirementsExtension.require(met, reason);
    }

    @Override
    public void close() {
        h.close();
    }

    /** One run of netprobe.py: its step lines, how it ended, its audit log. */
    record Probe(String app, Harness.Run run, Audit audit) {
        List<JsonNode> steps() {
            return run.probes();
        }

        JsonNode step(int i) {
            List<JsonNode> s = steps();
            if (i >= s.size()) throw new AssertionError("no step " + i + " in the probe's output; " + this);
            return s.get(i);
        }

        /** Step {@code i} worked; its detail. */
        JsonNode ok(int i) {
            JsonNode s = step(i);
            assertTrue(s.get("ok").asBoolean(), "step " + i + " failed: " + s + "\n" + this);
            return s.get("detail");
        }

        /** Step {@code i} failed with {@code errno}. */
        void failed(int i, String errno) {
            JsonNode s = step(i);
            assertEquals(errno, s.get("errno").asText(null), "step " + i + ": " + s + "\n" + this);
        }

        @Override
        public String toString() {
            String how = run.result() != null ? run.toString() : "stdout: " + run.stdout() + "\nstderr: " + run.stderr();
            return "app=" + app + " " + how + "\naudit:\n" + audit.text();
        }
    }

    /** An audit log file, read as JSON lines. */
    record Audit(Path file) {
        List<JsonNode> lines() {
            if (!Files.exists(file)) return List.of();
            try {
                List<JsonNode> out = new ArrayList<>();
                for (String line : Files.readAllLines(file)) {
                    if (!line.isBlank()) out.add(JSON.readTree(line));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String text() {
            return lines().stream().map(JsonNode::toString).collect(Collectors.joining("\n"));
        }

        List<JsonNode> matching(Predicate<JsonNode> p) {
            return lines().stream().filter(p).toList();
        }

        /**
         * The lines matching {@code p} once there are {@code count} of them; close lines may be
         * written a moment after the app exits, so this waits up to 5 s.
         */
        List<JsonNode> await(int count, String what, Predicate<JsonNode> p) {
            long deadline = System.currentTimeMillis() + 5000;
            List<JsonNode> got = matching(p);
            while (got.size() < count && System.currentTimeMillis() < deadline) {
                sleep(50);
                got = matching(p);
            }
            assertEquals(count, got.size(), "audit lines for " + what + " in " + file + ":\n" + text());
            return got;
        }

        static Predicate<JsonNode> event(String event, String destination) {
            return j -> event.equals(j.path("event").asText()) && destination.equals(j.path("destination").asText());
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code 127.0.0.2:4000} or {@code [::1]:4000}, as the audit log writes destinations. */
    static String destination(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
