package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Besides python3, a node script and a static binary run under the same walls. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class RuntimesIT {
    static Harness h;

    @BeforeAll
    static void setUp() throws Exception {
        h = new Harness();
        TestDirs.write(h.appRoot, "hello.js", "const fs = require('fs');\n"
                + "let shadow = 'visible';\n"
                + "try { fs.readFileSync('/etc/shadow'); } catch (e) { shadow = e.code; }\n"
                + "console.log('node ' + process.version + ' uid=' + process.getuid() + ' shadow=' + shadow);\n",
                "rw-r--r--");
        TestDirs.write(h.appRoot, "run.js", "#!/usr/bin/env node\nconsole.log('shebang ok');\n", "rwxr-xr-x");
        Path src = TestDirs.write(h.newDir("static-src"), "static.c",
                "#include <stdio.h>\n#include <unistd.h>\n"
                + "int main(void) { printf(\"static uid=%d root=%s\\n\", (int)getuid(),"
                + " access(\"/etc/shadow\", F_OK) == 0 ? \"shadow-visible\" : \"shadow-absent\"); return 0; }\n",
                "rw-r--r--");
        Process cc = new ProcessBuilder("gcc", "-static", "-O2", "-o", h.appRoot.resolve("static-hello").toString(),
                src.toString()).inheritIO().start();
        assertTrue(cc.waitFor(60, TimeUnit.SECONDS) && cc.exitValue() == 0, "gcc -static failed");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    @Test
    void nodeScript() {
        Harness.Run run = h.run(h.policy(Harness.appName("node"), List.of("node", "hello.js")));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertTrue(run.stdout().matches("node v\\d+\\.\\d+\\.\\d+ uid=1000 shadow=ENOENT\\n"), run.stdout());
    }

    @Test
    void nodeThroughShebang() {
        Harness.Run run = h.run(h.policy(Harness.appName("node"), List.of("./run.js")));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals("shebang ok\n", run.stdout());
    }

    /** An interpreter outside /usr (a pyenv install): just its prefix is bound, never the rest of its home. */
    @Test
    void pyenvInterpreterGetsOnlyItsPrefix() throws Exception {
        Path python = pyenvPython();
        Path prefix = python.getParent().getParent();
        Path pyenvRoot = prefix.getParent().getParent();
        List<String> hostSiblings;
        try (var list = java.nio.file.Files.list(prefix.getParent())) {
            hostSiblings = list.filter(d -> !d.equals(prefix)).map(Path::toString).toList();
        }
        String script = "import os, sys, json\n"
                + "paths = " + toPythonList(hostSiblings) + " + ['" + pyenvRoot + "/shims', '/root/.bashrc']\n"
                + "print(json.dumps([sys.prefix, [p for p in paths if os.path.exists(p)]]))\n";
        Harness.Run run = h.run(h.policy(Harness.appName("pyenv"), List.of(python.toString(), "-c", script)));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals("[\"" + prefix + "\", []]\n", run.stdout());
    }

    private static String toPythonList(List<String> items) {
        return items.stream().map(i -> "'" + i + "'").collect(java.util.stream.Collectors.joining(", ", "[", "]"));
    }

    /** A venv made from that interpreter: the venv and its base prefix are bound read-only. */
    @Test
    void venvInterpreter() throws Exception {
        Path python = pyenvPython();
        // Not under /tmp (nor under a checkout that may live there): inside the sandbox /tmp is the
        // writable space, so nothing from the host's /tmp can be bound.
        Path venv = Path.of("/var/tmp", "sandbox-test-venv-" + java.util.UUID.randomUUID());
        Process p = new ProcessBuilder(python.toString(), "-m", "venv", "--without-pip", venv.toString()).inheritIO().start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "venv creation failed");
        String script = "import sys; print(sys.prefix == '" + venv + "', sys.base_prefix == '" + python.getParent().getParent() + "')";
        try {
            Harness.Run run = h.run(h.policy(Harness.appName("venv"), List.of(venv.resolve("bin/python").toString(), "-c", script)));
            assertEquals(0, run.result().exitCode(), run.toString());
            assertEquals("True True\n", run.stdout());
        } finally {
            TestDirs.delete(venv);
        }
    }

    /** The pyenv python this machine kind has (root's ~/.pyenv); its absence is reported, not hidden. */
    static Path pyenvPython() throws Exception {
        Path versions = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isDirectory(versions),
                "no pyenv install under " + versions + " on this host");
        try (var s = java.nio.file.Files.list(versions)) {
            Path v = s.filter(d -> java.nio.file.Files.isExecutable(d.resolve("bin/python3"))).sorted().findFirst()
                    .orElseThrow(() -> new AssertionError("no pyenv version with bin/python3 under " + versions));
            return v.resolve("bin/python3").toRealPath().getParent().resolve("python3");
        }
    }

    @Test
    void staticBinary() {
        Harness.Run run = h.run(h.policy(Harness.appName("static"), List.of("./static-hello")));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals("static uid=1000 root=shadow-absent\n", run.stdout());
    }
}
