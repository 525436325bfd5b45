package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.fs.TmpSpace;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The filesystem wall, probed from inside real sandboxes. Every escape probe runs twice: with
 * Landlock (both walls) and with Landlock off (the mount namespace must hold alone).
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class FsWallIT {
    static Harness h;
    static Path secretDir;

    @BeforeAll
    static void setUp() {
        h = new Harness();
        secretDir = h.newDir("secret");
        TestDirs.write(secretDir, "secret.txt", "top secret", "rw-r--r--");
    }

    @AfterAll
    static void tearDown() {
        h.close();
    }

    private Policy policy(LandlockMode mode) {
        return h.policy(Harness.appName("fs"), List.of("true")).withLandlock(mode);
    }

    private static void assertBlocked(Harness.Run run, String expectedErrno) {
        JsonNode p = run.probe();
        assertFalse(p.get("escaped").asBoolean(), "escaped: " + run);
        assertEquals(expectedErrno, p.get("errno").asText(), run.toString());
    }

    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void hostSecretsDoNotExist(LandlockMode mode) {
        Policy p = policy(mode);
        assertBlocked(h.probe(p, "read", "/etc/shadow"), "ENOENT");
        assertBlocked(h.probe(p, "list", "/root"), "ENOENT");
        assertBlocked(h.probe(p, "read", secretDir.resolve("secret.txt").toString()), "ENOENT");
        assertBlocked(h.probe(p, "list", "/var/run"), "ENOENT");
        assertBlocked(h.probe(p, "list", "/home"), "ENOENT");
    }

    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void appRootAndRuntimeAreReadOnly(LandlockMode mode) {
        Policy p = policy(mode);
        assertBlocked(h.probe(p, "write", "/app/new-file"), "EROFS");
        assertBlocked(h.probe(p, "write", "/app/probe.py"), "EROFS");
        assertBlocked(h.probe(p, "write", "/usr/lib/escape"), "EROFS");
        assertBlocked(h.probe(p, "write", "/etc/passwd"), "EROFS");
        assertBlocked(h.probe(p, "write", "/new-top-level-file"), "EROFS");
    }

    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void writableSpaceIsWritableAndCapped(LandlockMode mode) {
        Policy p = policy(mode);
        String inside = TmpSpace.insidePath(p.app());
        Harness.Run ok = h.probe(p, "write-ok", inside + "/data.txt");
        assertEquals(0, ok.result().exitCode(), ok.toString());
        assertBlocked(h.probe(p, "fill", inside + "/big"), "ENOSPC");
    }

    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void tmpLandsInTheWritableSpace(LandlockMode mode) {
        Policy base = policy(mode);
        String inside = TmpSpace.insidePath(base.app());
        String script = "import os\n"
                + "open('/tmp/probe-tmp', 'w').write('x')\n"
                + "print(os.path.exists('" + inside + "/tmp/probe-tmp'))\n";
        Harness.Run run = h.run(base.withCommand(List.of("python3", "-c", script)));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals("True", run.stdout().trim(), run.toString());
    }

    /** /dev/shm is the instance's own tmpfs: sticky and open to all, nosuid, nodev, noexec, 64M by default. */
    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void devShmHoldsDataButRunsNothing(LandlockMode mode) {
        Policy p = policy(mode);
        Harness.Run facts = h.probe(p, "mount-facts", "/dev/shm");
        JsonNode m = facts.probe();
        assertEquals("0o1777", m.get("mode").asText(), facts.toString());
        assertEquals("[\"nodev\",\"noexec\",\"nosuid\"]", m.get("flags").toString(), facts.toString());
        assertEquals(64L << 20, m.get("bytes").asLong(), facts.toString());
        assertBlocked(h.probe(p, "run-copy", "/usr/bin/true", "/dev/shm/true"), "EACCES");
    }

    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void devShmIsCappedByShmSize(LandlockMode mode) {
        Policy p = policy(mode).with("shm-size", 4L << 20);
        assertEquals(4L << 20, h.probe(p, "mount-facts", "/dev/shm").probe().get("bytes").asLong());
        assertBlocked(h.probe(p, "fill", "/dev/shm/big"), "ENOSPC");
    }

    /** A file can be created in exactly three mount points: the writable space, /tmp and /dev/shm. */
    @ParameterizedTest
    @EnumSource(value = LandlockMode.class, names = {"BEST_EFFORT", "OFF"})
    void onlyTheWritableSpaceTmpAndDevShmAreWritable(LandlockMode mode) {
        assertWritableMounts(policy(mode));
    }

    /** Landlock's rules let /dev/shm be written (a rw rule), and nothing else besides the space. */
    @Test
    @Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.LANDLOCK})
    void landlockAllowsDevShmAndNothingElseNew() {
        assertWritableMounts(policy(LandlockMode.REQUIRED));
    }

    private static void assertWritableMounts(Policy p) {
        Harness.Run run = h.probe(p, "writable-mounts");
        List<String> expected = List.of("/dev/shm", TmpSpace.insidePath(p.app()), "/tmp");
        List<String> found = new ArrayList<>();
        run.probe().get("paths").forEach(n -> found.add(n.asText()));
        assertEquals(expected, found, run.toString());
    }

    /** Landlock alone: the root tmpfs is visible in the mount namespace but no Landlock rule covers it. */
    @Test
    @Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.LANDLOCK})
    void landlockHoldsWhereTheMountNamespaceAllows() {
        Harness.Run withLandlock = h.probe(policy(LandlockMode.REQUIRED), "list", "/");
        assertBlocked(withLandlock, "EACCES");
        Harness.Run without = h.probe(policy(LandlockMode.OFF), "list", "/");
        assertTrue(without.probe().get("escaped").asBoolean(), "without Landlock, / is listable: " + without);
    }
}
