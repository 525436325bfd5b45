package io.sandboxrun.tests.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code sandbox-run --learn-seccomp OUT.json} as a user runs it: the profile learnt from a run
 * enforces that same run successfully, and refuses (and reports) a syscall the run never made.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.LIBSECCOMP})
class SeccompLearnIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static Harness h;
    static Path out;

    @BeforeAll
    static void setUp() {
        h = new Harness();
        SeccompFixtures.resource("learn.py", h.appRoot);
        out = h.newDir("learn");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    @Test
    void aLearntProfileEnforcesItsRunAndRefusesTheRest() throws Exception {
        String app = Harness.appName("learn");
        Path learnt = out.resolve("learnt.json");

        Path learnResult = out.resolve("learn-result.json");
        SeccompFixtures.Cli learn = SeccompFixtures.cli(h, h.appRoot, "--app", app, "--learn-seccomp", learnt.toString(),
                "--result-json", learnResult.toString(), "--", "python3", "learn.py");
        assertEquals(0, learn.code(), learn.toString());
        String expected = "rows 1 ['2d711642'] ['learn.db', 'tmp']\n";
        assertEquals(expected, learn.out());
        JsonNode profile = JSON.readTree(learnt.toFile());
        assertEquals("SCMP_ACT_ERRNO", profile.get("defaultAction").asText());
        List<String> allowed = new ArrayList<>();
        profile.at("/syscalls/0/names").forEach(n -> allowed.add(n.asText()));
        assertEquals("SCMP_ACT_ALLOW", profile.at("/syscalls/0/action").asText());
        // Kept from the bundled profiles: clone without namespace flags (if the run made threads or
        // processes), and clone3 answered ENOSYS so glibc uses clone, whose flags the filter sees.
        JsonNode last = profile.get("syscalls").get(profile.get("syscalls").size() - 1);
        assertEquals("[\"clone3\"]", last.get("names").toString(), profile.toString());
        assertEquals(38, last.get("errnoRet").asInt());
        assertFalse(allowed.contains("clone3") || allowed.contains("clone"), allowed.toString());
        assertTrue(allowed.containsAll(List.of("execve", "openat", "read", "write", "exit_group")), allowed.toString());
        assertFalse(allowed.contains("getpriority"), allowed.toString());
        int learntCount = allowed.size() + (profile.get("syscalls").size() == 3 ? 1 : 0);   // + clone
        assertTrue(learn.err().contains("sandbox-run: learnt " + learntCount + " syscalls into " + learnt
                + "; enforce it with --seccomp " + learnt), learn.err());
        JsonNode lr = JSON.readTree(learnResult.toFile());
        assertEquals("not-enforced", lr.at("/protections/seccomp/status").asText(), lr.toString());

        // The same run under the learnt profile: the same output, nothing refused.
        Path sameResult = out.resolve("same-result.json");
        SeccompFixtures.Cli same = SeccompFixtures.cli(h, h.appRoot, "--app", app, "--seccomp", learnt.toString(),
                "--result-json", sameResult.toString(), "--", "python3", "learn.py");
        assertEquals(0, same.code(), same.toString());
        assertEquals(expected, same.out());
        JsonNode sr = JSON.readTree(sameResult.toFile());
        assertEquals("enforced", sr.at("/protections/seccomp/status").asText());
        assertEquals(0, sr.get("denied_syscalls").size(), sr.get("denied_syscalls").toString());

        // One syscall more than was learnt: EPERM, and named in the result.
        Path extraResult = out.resolve("extra-result.json");
        SeccompFixtures.Cli extra = SeccompFixtures.cli(h, h.appRoot, "--app", app, "--seccomp", learnt.toString(),
                "--result-json", extraResult.toString(), "--", "python3", "learn.py", "extra");
        assertEquals(0, extra.code(), extra.toString());
        assertEquals(expected + "getpriority refused 1\n", extra.out());
        JsonNode denied = JSON.readTree(extraResult.toFile()).get("denied_syscalls");
        assertEquals(1, denied.size(), denied.toString());
        assertEquals("getpriority", denied.at("/0/syscall").asText());
        assertEquals(1, denied.at("/0/errno").asInt());
        assertEquals(1, denied.at("/0/count").asInt());
    }
}
