package io.sandboxrun.tests.seccomp;

import static io.sandboxrun.core.linux.Errno.EPERM;
import static io.sandboxrun.tests.seccomp.SeccompFixtures.DISTINCT_ERRNO;
import static io.sandboxrun.tests.seccomp.SeccompFixtures.DISTINCT_ERRNO_NAME;
import static io.sandboxrun.tests.seccomp.SeccompFixtures.SIGSYS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Denial;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * syscall-probe inside real sandboxes: one probe per denied family. Several of these calls get
 * EPERM from the kernel itself in a sandbox (capability checks), so the family probes run under
 * test copies of the bundled profiles that answer EHWPOISON instead: that errno, and the denial
 * the launcher counted, can only come from the filter. Other ABIs are killed under every profile.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.LIBSECCOMP})
class SeccompProbesIT {
    /** Probe name → the syscall it makes (the name a denial carries). */
    static final Map<String, String> DENIED_FAMILIES = new LinkedHashMap<>();

    static {
        for (String s : List.of("mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "bpf", "keyctl",
                "add_key", "ptrace", "perf_event_open", "userfaultfd", "io_uring_setup", "kexec_load", "init_module",
                "finit_module", "delete_module", "unshare", "setns", "personality", "acct", "swapon", "reboot", "syslog",
                "process_vm_writev")) {
            DENIED_FAMILIES.put(s, s);
        }
        DENIED_FAMILIES.put("clone-newns", "clone");
        DENIED_FAMILIES.put("clone-newuser", "clone");
        DENIED_FAMILIES.put("ioctl-tiocsti", "ioctl");
        DENIED_FAMILIES.put("ioctl-tioclinux", "ioctl");
        DENIED_FAMILIES.put("socket-packet", "socket");
        DENIED_FAMILIES.put("socket-raw", "socket");
        DENIED_FAMILIES.put("socket-netlink-audit", "socket");
    }

    static Harness h;
    static Path profiles;
    static Map<String, String> testProfiles = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() {
        h = new Harness();
        SeccompFixtures.compileProbe(h.appRoot);
        profiles = h.newDir("profiles");
        for (String p : List.of("default", "python")) {
            testProfiles.put(p, SeccompFixtures.distinctErrnoProfile(p, profiles).toString());
        }
    }

    @AfterAll
    static void tearDown() { h.close(); }

    static Harness.Run probe(String profile, String... args) {
        List<String> cmd = new ArrayList<>(List.of("./syscall-probe"));
        cmd.addAll(List.of(args));
        return h.run(h.policy(Harness.appName("probe"), cmd).withSeccomp(profile));
    }

    /** The probe's one line: not escaped, with {@code errno}. */
    static void assertBlocked(Harness.Run run, String probe, String errno) {
        assertEquals(0, run.result().exitCode(), run.toString());
        JsonNode line = run.probe();
        assertEquals(probe, line.get("probe").asText(), run.toString());
        assertEquals(errno, line.get("errno").asText(), run.toString());
        assertFalse(line.get("escaped").asBoolean(), run.toString());
    }

    static Stream<Arguments> familiesUnderTestProfiles() {
        return Stream.of("default", "python").flatMap(p -> DENIED_FAMILIES.keySet().stream().map(f -> Arguments.of(f, p)));
    }

    /** Every denied family, answered by the filter with the profile's errno and counted once as a denial. */
    @ParameterizedTest(name = "{0} under {1} (EHWPOISON copy)")
    @MethodSource("familiesUnderTestProfiles")
    void everyDeniedFamilyIsRefusedByTheFilter(String probe, String profile) {
        Harness.Run run = probe(testProfiles.get(profile), probe, DISTINCT_ERRNO_NAME);
        assertBlocked(run, probe, DISTINCT_ERRNO_NAME);
        Denial d = SeccompFixtures.denial(run.result(), DENIED_FAMILIES.get(probe));
        assertEquals(DISTINCT_ERRNO, d.errno(), d.toString());
        assertEquals(1, d.count(), d.toString());
        assertEquals(1, run.result().denials().size(), run.result().denials().toString());
    }

    /** Calls the kernel would not refuse with EPERM by itself (they succeed or fail otherwise unfiltered): the shipped default says EPERM. */
    @ParameterizedTest(name = "{0} under bundled default")
    @ValueSource(strings = {"unshare", "clone-newuser", "personality", "setns", "mount", "open_tree", "bpf", "keyctl",
            "add_key", "ptrace", "userfaultfd", "io_uring_setup", "perf_event_open", "process_vm_writev", "ioctl-tiocsti",
            "socket-packet", "socket-raw", "socket-netlink-audit"})
    void bundledDefaultAnswersEperm(String probe) {
        Harness.Run run = probe("default", probe, "EPERM");
        assertBlocked(run, probe, "EPERM");
        Denial d = SeccompFixtures.denial(run.result(), DENIED_FAMILIES.get(probe));
        assertEquals(EPERM, d.errno());
        assertEquals(1, d.count());
    }

    /** strict: new processes and a second exec get EPERM (unfiltered, all three succeed). */
    @ParameterizedTest(name = "{0} under strict")
    @ValueSource(strings = {"fork", "vfork", "execve-second"})
    void strictRefusesProcessesAndExec(String probe) {
        Harness.Run run = probe("strict", probe, "EPERM");
        assertBlocked(run, probe, "EPERM");
        Denial d = SeccompFixtures.denial(run.result(), probe.equals("execve-second") ? "execve" : probe);
        assertEquals(EPERM, d.errno());
        assertEquals(1, d.count());
    }

    /** clone3 gets ENOSYS (unfiltered: EINVAL for size 0) from the kernel side of the filter, not counted as a denial. */
    @ParameterizedTest(name = "clone3 under {0}")
    @ValueSource(strings = {"default", "python", "strict"})
    void clone3IsEnosysInTheKernel(String profile) {
        Harness.Run run = probe(profile, "clone3", "ENOSYS");
        assertBlocked(run, "clone3", "ENOSYS");
        assertEquals(List.of(), run.result().denials());
    }

    static Stream<Arguments> otherAbis() {
        return Stream.of("default", "python", "strict", "default-ehwpoison")
                .flatMap(p -> Stream.of("x32", "int80").map(a -> Arguments.of(a, p)));
    }

    /** x32 syscall numbers and int 0x80: the process is killed with SIGSYS, whatever the profile. */
    @ParameterizedTest(name = "{0} under {1}")
    @MethodSource("otherAbis")
    void otherAbisAreKilled(String probe, String profile) {
        String p = profile.equals("default-ehwpoison") ? testProfiles.get("default") : profile;
        Harness.Run run = probe(p, probe, "KILL");
        assertEquals(Optional.of(SIGSYS), run.result().signal(), run.toString());
        assertEquals(128 + SIGSYS, run.result().exitCode(), run.toString());
        assertEquals(List.of(), run.probes(), "the probe returned from the call: " + run);
        assertTrue(run.result().denials().isEmpty(), run.result().denials().toString());
    }
}
