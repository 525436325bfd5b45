package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyValues;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.RequirementsExtension;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deployment the README shows, for real: Debian's nginx, its worker running as www-data,
 * reaches a sandboxed uWSGI through {@code uwsgi_pass unix:...}, the socket passed once by
 * socket activation with the mode and group {@code --listen} set (no chmod by hand).
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class NginxUwsgiIT {
    /** What each program is and which Debian package brings it (scripts/install-deps installs them). */
    static final Map<String, String> PACKAGES = Map.of("/usr/sbin/nginx", "nginx-light", "/usr/bin/uwsgi", "uwsgi-core",
            "/usr/lib/uwsgi/plugins/python3_plugin.so", "uwsgi-plugin-python3");
    static final String ANSWER = "hello from uwsgi in the sandbox\n";
    static Harness h;

    @BeforeAll
    static void setUp() throws IOException {
        List<String> missing = PACKAGES.entrySet().stream().filter(e -> !Files.exists(Path.of(e.getKey())))
                .map(e -> e.getValue() + " (" + e.getKey() + ")").sorted().toList();
        boolean wwwData = Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith("www-data:"));
        String reason = "requires " + (missing.isEmpty() ? "" : "the Debian packages " + String.join(", ", missing)
                + (wwwData ? "" : " and ")) + (wwwData ? "" : "the user www-data") + "; scripts/install-deps installs them";
        if (!missing.isEmpty() || !wwwData) System.err.println("skipping NginxUwsgiIT: " + reason);
        RequirementsExtension.require(missing.isEmpty() && wwwData, reason);
        h = new Harness();
    }

    @AfterAll
    static void tearDown() {
        if (h != null) h.close();
    }

    @Test
    void nginxReachesASandboxedUwsgiThroughTheSocketsModeAndGroup() throws Exception {
        Path web = h.newDir("nginx");   // 0755: the worker (www-data) must reach the socket below it
        Path socket = web.resolve("app.sock");
        Path app = h.newDir("uwsgi-app");
        TestDirs.write(app, "app.py", "def application(environ, start_response):\n"
                + "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
                + "    return [" + pyBytes(ANSWER) + "]\n", "rw-r--r--");
        // The option's own text, as on the command line and in a policy file.
        Policy policy = h.policy(Harness.appName("uwsgi"), app, List.of("uwsgi", "--plugin", "python3", "--wsgi-file",
                        "app.py", "--master", "--die-on-term"), LandlockMode.BEST_EFFORT, 16L << 20,
                List.of(PolicyValues.listen("--listen", "unix:" + socket + ",mode=0660,group=www-data")), List.of(),
                Map.of());
        Instance uwsgi = Harness.runtime().launch(new LaunchSpec(policy, Stdio.NULL, Stdio.NULL, Stdio.PIPE));
        CompletableFuture<String> uwsgiLog = CompletableFuture.supplyAsync(() -> read(uwsgi.stderr().orElseThrow()));
        Process nginx = null;
        try {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals(0, Files.getAttribute(socket, "unix:uid"));
            assertEquals(33, Files.getAttribute(socket, "unix:gid"), "www-data's group, from /etc/group");

            int port = freePort();
            nginx = startNginx(web, socket, port);
            long worker = awaitWorker(nginx, web);
            assertEquals("33", uid(worker), "the worker runs as www-data, not root");

            HttpResponse<String> r = get("http://127.0.0.1:" + port + "/", web);
            assertEquals(200, r.statusCode(), () -> r.body() + "\nnginx: " + log(web));
            assertEquals(ANSWER, r.body());
        } finally {
            try {
                if (nginx != null) stopNginx(nginx);
            } finally {
                stopUwsgi(uwsgi, uwsgiLog);
            }
        }
        assertFalse(Files.exists(socket), "the socket goes with the instance");
    }

    /** SIGTERM to uWSGI; one still running 30 s later is killed (the test fails then), so no instance outlives the test. */
    private static void stopUwsgi(Instance uwsgi, CompletableFuture<String> log) throws Exception {
        uwsgi.signal(Signals.SIGTERM);   // --die-on-term: SIGTERM ends uWSGI instead of reloading it
        RunResult result;
        try {
            result = uwsgi.onExit().get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            uwsgi.kill();
            RunResult killed = uwsgi.onExit().get(20, TimeUnit.SECONDS);
            throw new AssertionError("uwsgi did not end within 30 s of SIGTERM, so it was killed (exit "
                    + killed.exitCode() + "):\n" + log.get(10, TimeUnit.SECONDS));
        }
        System.err.println("uwsgi in the sandbox (exit " + result.exitCode() + "):\n" + log.get(10, TimeUnit.SECONDS));
    }

    /** nginx as root master with a www-data worker, its config, pid file, logs and temp dirs all in {@code dir}. */
    private static Process startNginx(Path dir, Path socket, int port) throws IOException, InterruptedException {
        String conf = String.join("\n",
                "daemon off;",
                "master_process on;",
                "user www-data;",
                "worker_processes 1;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " info;",
                "events { worker_connections 64; }",
                "http {",
                "    access_log off;",
                "    client_body_temp_path " + dir.resolve("body") + ";",
                "    proxy_temp_path " + dir.resolve("proxy") + ";",
                "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                "    scgi_temp_path " + dir.resolve("scgi") + ";",
                "    server {",
                "        listen 127.0.0.1:" + port + ";",
                "        location / {",
                "            include /etc/nginx/uwsgi_params;",
                "            uwsgi_pass unix:" + socket + ";",
                "        }",
                "    }",
                "}", "");
        Path file = Files.writeString(dir.resolve("nginx.conf"), conf);
        Process p = new ProcessBuilder("/usr/sbin/nginx", "-e", dir.resolve("error.log").toString(), "-p", dir + "/",
                "-c", file.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    stopNginx(p);
                    throw new AssertionError("nginx did not start: " + Files.readString(dir.resolve("nginx.out"))
                            + log(dir));
                }
                sleep(50);
            }
        }
    }

    /** SIGTERM to the master (a fast shutdown: it ends its workers), SIGKILL to both if that takes over 10 s. */
    private static void stopNginx(Process master) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(master.descendants().toList());
        master.destroy();
        if (!master.waitFor(10, TimeUnit.SECONDS)) master.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        for (ProcessHandle worker : tree) worker.destroyForcibly();
    }

    /** The worker's pid, once the master has started it. */
    private static long awaitWorker(Process master, Path dir) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> workers = master.children().toList();
            if (!workers.isEmpty() && !uid(workers.get(0).pid()).equals("0")) return workers.get(0).pid();
            sleep(20);
        }
        throw new AssertionError("nginx started no worker: " + log(dir));
    }

    /** The real uid in /proc/PID/status ("" when the process is gone). */
    private static String uid(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Uid:"))
                    .map(l -> l.split("\\s+")[1]).findFirst().orElse("");
        } catch (IOException gone) {
            return "";
        }
    }

    /** GET {@code url}; a 502 while uWSGI is still loading the app is waited out (20 s at most). */
    private static HttpResponse<String> get(String url, Path dir) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 502 || System.nanoTime() > deadline) return r;
            sleep(100);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String log(Path dir) {
        try {
            Path f = dir.resolve("error.log");
            return Files.exists(f) ? Files.readString(f) : "(no error.log)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String pyBytes(String s) {
        return "b'" + s.replace("\n", "\\n") + "'";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
