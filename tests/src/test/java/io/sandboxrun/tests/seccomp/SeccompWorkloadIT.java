package io.sandboxrun.tests.seccomp;

import static io.sandboxrun.core.linux.Errno.EPERM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Denial;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.ListenAddress;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real Python workloads under each bundled profile pass without a single refusal: a stdlib
 * worker (threads, asyncio over the sandbox's loopback, an in-memory TLS handshake, sqlite3,
 * hashlib, json), Python's multiprocessing (under the default choice, auto: python) and a WSGI app
 * serving HTTP through {@code --listen}; under strict, new processes and exec fail with EPERM while
 * threads keep working.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.LIBSECCOMP})
class SeccompWorkloadIT {
    static final String ALL_PARTS = "threads ok\nasyncio ok\nssl ok\nsqlite3 ok\nhashlib ok\njson ok\n";
    static final String MULTIPROCESSING_PARTS = "pool [0, 1, 4, 9, 16, 25]\n"
            + "lock+queue total 3000, items [0, 1, 2] from 3 processes\n"
            + "executor [0, 1, 4, 9]\n"
            + "shared_memory b'hello'\n"
            + "/dev/shm left []\n";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static Harness h;
    static Path web;

    @BeforeAll
    static void setUp() throws IOException {
        h = new Harness();
        SeccompFixtures.resource("workload.py", h.appRoot);
        SeccompFixtures.resource("no-processes.py", h.appRoot);
        SeccompFixtures.resource("multiprocessing-parts.py", h.appRoot);
        SeccompFixtures.selfSignedCert(h.appRoot);
        web = h.newDir("wsgi");
        Path example = Harness.repo().resolve("examples/hello-wsgi");
        for (String f : List.of("index.wsgi", "serve.py")) {
            TestDirs.write(web, f, Files.readString(example.resolve(f)), "rw-r--r--");
        }
        TestDirs.write(web, "hello.py", Files.readString(example.resolve("index.wsgi")), "rw-r--r--");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    @ParameterizedTest(name = "under {0}")
    @ValueSource(strings = {"python", "strict", "default"})
    void stdlibWorkerRunsWithoutRefusals(String profile) {
        Harness.Run run = h.run(h.policy(Harness.appName("worker"),
                List.of("python3", "workload.py", "cert.pem", "key.pem")).withSeccomp(profile));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals(ALL_PARTS, run.stdout(), run.toString());
        assertEquals(List.of(), run.result().denials(), "refused under " + profile);
        assertTrue(SeccompFixtures.seccompDetail(run.result()).startsWith("profile " + profile + ", "),
                SeccompFixtures.seccompDetail(run.result()));
    }

    /** The stdlib server (threads, no fork): under every profile, strict included. */
    @ParameterizedTest(name = "serve.py under {0}")
    @ValueSource(strings = {"python", "strict", "default"})
    void wsgiServesThroughListen(String profile) throws Exception {
        serveAndCheck(listening(List.of("python3", "serve.py"), profile));
    }

    /** gunicorn forks its workers: python allows that (strict would not). */
    @Test
    void gunicornServesUnderPython() throws Exception {
        serveAndCheck(listening(List.of("gunicorn", "--workers", "2", "hello:application"), "python"));
    }

    @Test
    void strictRefusesForkSubprocessAndExecWhileThreadsWork() {
        Harness.Run run = h.run(h.policy(Harness.appName("strict"), List.of("python3", "no-processes.py"))
                .withSeccomp("strict"));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals("fork EPERM\nsubprocess EPERM\nexecv EPERM\nworker alive True\nthreads True [4950]\n", run.stdout(),
                run.toString());
        // glibc's fork is clone(SIGCHLD|CLONE_CHILD_*); subprocess tries vfork, then falls back to fork.
        Map<String, Long> counts = run.result().denials().stream()
                .collect(Collectors.toMap(Denial::syscall, Denial::count));
        assertEquals(Map.of("clone", 2L, "vfork", 1L, "execve", 1L), counts, run.result().denials().toString());
        run.result().denials().forEach(d -> assertEquals(EPERM, d.errno(), d.toString()));
    }

    /**
     * Pool, Lock, Queue, ProcessPoolExecutor and SharedMemory: forked workers, named semaphores,
     * the shared heap and shm_open on /dev/shm, pipes; with each start method (forkserver adds a
     * unix socket, spawn an exec). The embedded default (auto) picks python.
     */
    @ParameterizedTest(name = "start method {0}")
    @ValueSource(strings = {"fork", "forkserver", "spawn"})
    void multiprocessingRunsUnderTheDefaultProfile(String startMethod) {
        Policy p = h.policy(Harness.appName("mp"), List.of("python3", "multiprocessing-parts.py", startMethod));
        assertEquals("auto", p.seccomp());

        Harness.Run run = h.run(p);

        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals(MULTIPROCESSING_PARTS, run.stdout(), run.toString());
        assertEquals(List.of(), run.result().denials());
        assertTrue(SeccompFixtures.seccompDetail(run.result()).startsWith("profile python, "),
                SeccompFixtures.seccompDetail(run.result()));
    }

    /** strict forbids new processes by design: a Pool's first worker is refused. */
    @Test
    void strictRefusesMultiprocessingWorkers() {
        Harness.Run run = h.run(h.policy(Harness.appName("mp"), List.of("python3", "multiprocessing-parts.py"))
                .withSeccomp("strict"));
        assertEquals(1, run.result().exitCode(), run.toString());
        assertEquals("pool refused EPERM\n", run.stdout(), run.toString());
        assertEquals(List.of("clone"), run.result().denials().stream().map(Denial::syscall).toList());
    }

    private static Policy listening(List<String> command, String profile) {
        return h.policy(Harness.appName("web"), web, command, LandlockMode.BEST_EFFORT, 8L << 20,
                List.of(new ListenAddress.Tcp("127.0.0.1", 0)), List.of(), Map.of()).withSeccomp(profile);
    }

    private static void serveAndCheck(Policy p) throws Exception {
        Instance i = Harness.runtime().launch(new LaunchSpec(p, Stdio.NULL, Stdio.NULL, Stdio.PIPE));
        try {
            URI url = URI.create("http://" + i.listening().get(0) + "/");
            HttpResponse<String> response = null;
            for (int attempt = 0; attempt < 100 && response == null; attempt++) {
                try {
                    response = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    Thread.sleep(100);   // the launcher's socket accepts at once; the server may still be starting
                }
            }
            assertNotNull(response, "no answer from " + url);
            assertEquals(200, response.statusCode());
            assertEquals("hello, world!\n", response.body());
            for (int n = 0; n < 10; n++) {
                assertEquals("hello, world!\n", HTTP.send(HttpRequest.newBuilder(url).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            }
        } finally {
            i.signal(Signals.SIGTERM);
            RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
            String err = new String(i.stderr().orElseThrow().readAllBytes());
            assertEquals(Optional.empty(), r.failure(), err);
            assertEquals(List.of(), r.denials(), err);
        }
    }
}
