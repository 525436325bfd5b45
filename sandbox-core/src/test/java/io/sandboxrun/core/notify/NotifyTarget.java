package io.sandboxrun.core.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.linux.Fd;
import io.sandboxrun.core.linux.Poll;
import io.sandboxrun.core.linux.SeccompNotify;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.linux.Spawn;
import io.sandboxrun.core.linux.UnixSocket;
import io.sandboxrun.core.linux.Wait;
import io.sandboxrun.core.testing.RequirementsExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/** A running src/test/c/notify-target.c: its pid, the seccomp listener it handed over, its output. */
public final class NotifyTarget {
    private static final Path BUILD = Path.of("target", "notify-test");
    private static final Map<String, Path> COMPILED = new HashMap<>();

    public final int pid;
    /** The listener it sent; register it (ownership passes to the loop) or close it. */
    public final Fd listener;
    private final Path out;
    private final Path err;
    private Wait.Status status;

    private NotifyTarget(int pid, Fd listener, Path out, Path err) {
        this.pid = pid;
        this.listener = listener;
        this.out = out;
        this.err = err;
    }

    /**
     * What these tests need from the host: seccomp user notification and gcc. Not in the
     * {@code Feature} vocabulary yet, so checked here with the same skip/strict rule.
     */
    public static void requireHost() {
        List<String> missing = new ArrayList<>();
        SeccompNotify.unavailabilityCause().ifPresent(c -> missing.add("requires seccomp user notification: " + c));
        try {
            compile("notify-target");
        } catch (RuntimeException e) {
            missing.add("requires gcc to build src/test/c/notify-target.c: " + e.getMessage());
        }
        if (missing.isEmpty()) return;
        String reason = String.join("; ", missing);
        if (RequirementsExtension.strict()) Assertions.fail("strict mode: " + reason);
        Assumptions.abort(reason);
    }

    /** Builds src/test/c/{name}.c once per JVM into target/notify-test/{name}. */
    public static synchronized Path compile(String name) {
        Path bin = COMPILED.get(name);
        if (bin != null) return bin;
        bin = BUILD.resolve(name).toAbsolutePath();
        try {
            Files.createDirectories(BUILD);
            Process cc = new ProcessBuilder("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", bin.toString(),
                    Path.of("src", "test", "c", name + ".c").toString()).redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) throw new IllegalStateException("gcc failed: " + log);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run gcc: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        COMPILED.put(name, bin);
        return bin;
    }

    /** Starts {@code notify-target MODE K} and waits (10 s at most) for the listener it sends. */
    static NotifyTarget start(Path dir, String mode, int k) {
        Path bin = compile("notify-target");
        Path out = dir.resolve("out-" + System.nanoTime());
        Path err = dir.resolve("err-" + System.nanoTime());
        int pid;
        try (UnixSocket.Pair pair = UnixSocket.pair();
             Fd o = Fd.open(out, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_TRUNC, 0600);
             Fd e = Fd.open(err, Fd.O_WRONLY | Fd.O_CREAT | Fd.O_TRUNC, 0600)) {
            pid = Spawn.spawn(bin.toString(), List.of(bin.toString(), mode, Integer.toString(k)), List.of(),
                    Map.of(1, o.get(), 2, e.get(), 3, pair.second().get()));
            pair.second().close(); // so that our end reads end-of-stream if the program dies first
            NotifyTarget t = null;
            try {
                short[] rev = Poll.waitReadable(new int[] {pair.first().get()}, 10_000);
                assertTrue(rev[0] != 0, "notify-target sent no listener within 10 s");
                UnixSocket.Received r = UnixSocket.receive(pair.first()).orElseThrow();
                assertFalse(r.endOfStream(), () -> "notify-target ended before sending its listener: " + read(err));
                assertEquals(1, r.fds().size(), "descriptors received");
                t = new NotifyTarget(pid, r.fds().get(0), out, err);
                return t;
            } finally {
                if (t == null) {
                    Signals.send(pid, Signals.SIGKILL);
                    reap(pid, Duration.ofSeconds(5));
                }
            }
        }
    }

    /** Waits for the exit (SIGKILL after {@code timeout}) and reaps the process. */
    public Wait.Status awaitExit(Duration timeout) {
        if (status == null) {
            Optional<Wait.Status> s = reap(pid, timeout);
            if (s.isEmpty()) {
                kill();
                Assertions.fail("notify-target pid " + pid + " still running after " + timeout + "; killed. stderr: " + read(err));
            }
            status = s.get();
        }
        return status;
    }

    /** SIGKILL and reap, if still running. */
    public void kill() {
        if (status != null) return;
        Signals.send(pid, Signals.SIGKILL);
        status = reap(pid, Duration.ofSeconds(10)).orElseThrow(() -> new AssertionError("pid " + pid + " not reaped after SIGKILL"));
    }

    boolean exited() { return status != null; }

    /** Its standard output, line by line (complete once it has exited). */
    public List<String> lines() { return List.of(read(out).split("\n")); }

    public String stderr() { return read(err); }

    private static Optional<Wait.Status> reap(int pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<Wait.Status> s = Wait.poll(pid);
            if (s.isPresent() || System.nanoTime() > deadline) return s;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Every target a test starts, killed and reaped at the end whatever happened. */
    public static final class Tracker implements AutoCloseable {
        private final Path dir;
        private final List<NotifyTarget> started = new ArrayList<>();

        public Tracker(Path dir) { this.dir = dir; }

        public NotifyTarget start(String mode, int k) {
            NotifyTarget t = NotifyTarget.start(dir, mode, k);
            started.add(t);
            return t;
        }

        @Override
        public void close() {
            for (NotifyTarget t : started) {
                t.kill();
                t.listener.close(); // no-op once a loop owns and closed it
            }
        }
    }
}
