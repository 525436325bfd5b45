package io.sandboxrun.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host program for discovery (the dynamic loader in list mode) with a time limit and an
 * empty environment. Injectable so unit tests return canned output instead of running anything.
 */
@FunctionalInterface
public interface ProcessRunner {
    /** How a run ended; {@code exitCode} is -1 when it timed out (the process was killed). */
    record Result(int exitCode, String stdout, String stderr, boolean timedOut) {}

    Result run(List<String> argv, Duration timeout);

    /** Runs real processes: no environment (the launcher's must not steer the loader), stdin from /dev/null. */
    static ProcessRunner system() {
        return (argv, timeout) -> {
            ProcessBuilder pb = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().clear();
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + argv.get(0), e);
            }
            CompletableFuture<String> out = drain(p.getInputStream());
            CompletableFuture<String> err = drain(p.getErrorStream());
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    p.waitFor();
                    return new Result(-1, out.get(), err.get(), true);
                }
                return new Result(p.exitValue(), out.get(), err.get(), false);
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while running " + argv.get(0), e);
            } catch (ExecutionException e) {
                throw new UncheckedIOException("cannot read the output of " + argv.get(0),
                        e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
            }
        };
    }

    private static CompletableFuture<String> drain(InputStream in) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (in) {
                f.complete(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        }, "fs-whitelist-drain");
        t.setDaemon(true);
        t.start();
        return f;
    }
}
