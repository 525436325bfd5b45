package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A WSGI app with no network of its own serves HTTP through a socket the launcher passes in. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class ListenIT {
    static Harness h;
    static Path app;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void setUp() throws IOException {
        h = new Harness();
        app = h.newDir("wsgi");
        Path example = Harness.repo().resolve("examples/hello-wsgi");
        for (String f : List.of("index.wsgi", "serve.py")) {
            TestDirs.write(app, f, Files.readString(example.resolve(f)), "rw-r--r--");
        }
        // gunicorn imports a module: the same application, importable as hello:application.
        TestDirs.write(app, "hello.py", Files.readString(example.resolve("index.wsgi")), "rw-r--r--");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    private static Policy policy(List<String> command) {
        return h.policy(Harness.appName("web"), app, command, LandlockMode.BEST_EFFORT, 8L << 20,
                List.of(new ListenAddress.Tcp("127.0.0.1", 0)), List.of(), Map.of());
    }

    @Test
    void stdlibServerAnswersFromTheHost() throws Exception {
        serveAndCheck(policy(List.of("python3", "serve.py")));
    }

    @Test
    void gunicornTakesTheSocketFromListenFds() throws Exception {
        serveAndCheck(policy(List.of("gunicorn", "--workers", "2", "hello:application")));
    }

    private static void serveAndCheck(Policy p) throws Exception {
        Instance i = Harness.runtime().launch(new LaunchSpec(p, Stdio.NULL, Stdio.NULL, Stdio.PIPE));
        try {
            String url = "http://" + i.listening().get(0) + "/";
            HttpResponse<String> response = null;
            for (int attempt = 0; attempt < 100 && response == null; attempt++) {
                try {
                    response = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (IOException notYet) {
                    // The socket accepts at once (the launcher listens), but the server may still be starting.
                    Thread.sleep(100);
                }
            }
            assertEquals(200, response.statusCode());
            assertEquals("hello, world!\n", response.body());
            for (int n = 0; n < 20; n++) {
                assertEquals("hello, world!\n", HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            }
        } finally {
            i.signal(io.sandboxrun.core.linux.Signals.SIGTERM);
            RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
            String err = new String(i.stderr().orElseThrow().readAllBytes());
            assertEquals(Optional.empty(), r.failure(), err);
        }
    }
}
