package io.sandboxrun.tests.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sandboxrun.core.launch.Denial;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What the seccomp ITs share: the probe binary, test profiles, a TLS cert, resources, the CLI. */
final class SeccompFixtures {
    /**
     * The errno the test profiles answer with instead of EPERM: EHWPOISON (a memory-failure
     * errno) is never what any probed syscall returns by itself, unlike EPERM (capability
     * checks), EOPNOTSUPP (keyctl's unknown operation) or ENOSYS (modules, kexec).
     */
    static final int DISTINCT_ERRNO = 133;
    static final String DISTINCT_ERRNO_NAME = "EHWPOISON";
    static final int SIGSYS = 31;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Builds tests/src/test/probes/syscall-probe.c as {@code dir/syscall-probe}, static, mode 0755. */
    static Path compileProbe(Path dir) {
        Path out = dir.resolve("syscall-probe");
        host(dir, "gcc", "-O2", "-static", "-o", out.toString(),
                Harness.repo().resolve("tests/src/test/probes/syscall-probe.c").toString());
        setMode(out, "rwxr-xr-x");
        return out;
    }

    /** A self-signed cert and key for CN=localhost as {@code dir/cert.pem} and {@code dir/key.pem}, mode 0644. */
    static void selfSignedCert(Path dir) {
        host(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                "-keyout", "key.pem", "-out", "cert.pem");
        setMode(dir.resolve("cert.pem"), "rw-r--r--");
        setMode(dir.resolve("key.pem"), "rw-r--r--");
    }

    /** Copies the test resource {@code seccomp/NAME} to {@code dir/NAME}, mode 0644. */
    static Path resource(String name, Path dir) {
        return TestDirs.write(dir, name, resourceText("/seccomp/" + name), "rw-r--r--");
    }

    static String resourceText(String classpathName) {
        try (InputStream in = SeccompFixtures.class.getResourceAsStream(classpathName)) {
            if (in == null) throw new IllegalStateException("no resource " + classpathName);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The bundled profile {@code name} with every EPERM answer (rules' {@code errnoRet} 1 and
     * {@code defaultErrnoRet} 1) made {@link #DISTINCT_ERRNO}, written to {@code dir/NAME-ehwpoison.json}.
     * ENOSYS answers (clone3) stay as they are.
     */
    static Path distinctErrnoProfile(String name, Path dir) {
        try {
            ObjectNode p = (ObjectNode) JSON.readTree(resourceText("/io/sandboxrun/seccomp/profiles/" + name + ".json"));
            if (p.path("defaultErrnoRet").asInt() == Errno.EPERM) p.put("defaultErrnoRet", DISTINCT_ERRNO);
            for (JsonNode s : p.get("syscalls")) {
                if (s.path("errnoRet").asInt() == Errno.EPERM) ((ObjectNode) s).put("errnoRet", DISTINCT_ERRNO);
            }
            Path f = dir.resolve(name + "-ehwpoison.json");
            Files.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(p));
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The refusals of {@code syscall} in {@code r}, which must be exactly one entry. */
    static Denial denial(RunResult r, String syscall) {
        List<Denial> d = r.denials().stream().filter(x -> x.syscall().equals(syscall)).toList();
        assertEquals(1, d.size(), "denials of " + syscall + ": " + r.denials());
        return d.get(0);
    }

    /** The seccomp wall as the run reported it. */
    static String seccompDetail(RunResult r) {
        return r.protections().stream().filter(p -> p.wall().equals("seccomp")).findFirst()
                .orElseThrow(() -> new AssertionError("no seccomp protection in " + r.protections())).detail();
    }

    /** Runs a host command in {@code cwd}; it must exit 0 within 60 s. */
    static void host(Path cwd, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + " failed:\n" + out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void setMode(Path f, String perms) {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What one {@code bin/sandbox-run} run printed and exited with. */
    record Cli(int code, String out, String err) {
        @Override
        public String toString() { return "exit " + code + "\nstdout: " + out + "\nstderr: " + err; }
    }

    /**
     * Runs {@code bin/sandbox-run ARGS} in {@code cwd} with stdin from /dev/null, as a user does;
     * a run (options first) gets the harness's state directory, so a leftover mount is removed with it.
     */
    static Cli cli(Harness h, Path cwd, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Harness.repo().resolve("bin/sandbox-run").toString());
        if (args.length > 0 && args[0].startsWith("--")) cmd.addAll(List.of("--state-dir", h.stateDir.toString()));
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("sandbox-run " + String.join(" ", args) + " did not finish");
            }
            return new Cli(p.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private SeccompFixtures() {}
}
