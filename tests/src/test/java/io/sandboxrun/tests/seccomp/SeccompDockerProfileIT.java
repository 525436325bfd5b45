package io.sandboxrun.tests.seccomp;

import static io.sandboxrun.core.linux.Errno.EPERM;
import static io.sandboxrun.tests.seccomp.SeccompFixtures.SIGSYS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.ProfileLoader;
import io.sandboxrun.seccomp.compile.ProfileReport;
import io.sandboxrun.tests.Harness;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user's Docker-style profile from a file (resources/seccomp/docker-like.json: default ERRNO,
 * one large ALLOW list, entries that include or exclude capabilities, arches and a minimum
 * kernel, three architectures) loads, decides Docker's selectors as Docker would for a process
 * without capabilities, and enforces; broken files fail with exit 2 and their exact message.
 */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER, Feature.SECCOMP_NOTIFY, Feature.LIBSECCOMP})
class SeccompDockerProfileIT {
    static Harness h;
    static Path profile;

    @BeforeAll
    static void setUp() {
        h = new Harness();
        profile = SeccompFixtures.resource("docker-like.json", h.appRoot);
        SeccompFixtures.resource("workload.py", h.appRoot);
        SeccompFixtures.selfSignedCert(h.appRoot);
        SeccompFixtures.compileProbe(h.appRoot);
    }

    @AfterAll
    static void tearDown() { h.close(); }

    @Test
    void loadsWithTheSelectorsDecidedAndTheOtherArchesNoted() {
        Profile p = ProfileLoader.load(profile, "docker-like.json");
        ProfileReport.Summary s = ProfileReport.check(p);
        assertEquals(16, s.entries());
        assertFalse(s.needsListener());
        List<String> notes = s.notes();
        assertTrue(notes.contains("architectures SCMP_ARCH_X86, SCMP_ARCH_X32: not compiled; the filter holds"
                + " SCMP_ARCH_X86_64 only, and a call through any other ABI kills the process"), notes.toString());
        assertTrue(notes.contains("syscalls[0] _llseek, chown32, socketcall: not syscalls on x86_64; ignored"), notes.toString());
        assertTrue(notes.contains("syscalls[10] [userfaultfd]: skipped: includes.minKernel 99.0: the kernel is "
                + kernel()), notes.toString());
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("syscalls[11] [bpf, clone, clone3,")
                && n.endsWith("]: skipped: includes.caps [CAP_SYS_ADMIN]: the sandbox holds no capabilities")), notes.toString());
        assertTrue(notes.contains("syscalls[8] [s390_pci_mmio_read, s390_pci_mmio_write, s390_runtime_instr]: skipped:"
                + " includes.arches [s390, s390x]: not for x86_64"), notes.toString());
        // Entries kept: arch_prctl (arches amd64), ptrace (minKernel 4.8), clone (excludes caps), clone3 (excludes caps).
        assertTrue(notes.stream().noneMatch(n -> n.startsWith("syscalls[7]") || n.startsWith("syscalls[9]")
                || n.startsWith("syscalls[12]") || n.startsWith("syscalls[13]")), notes.toString());
    }

    /** The python worker runs under it (arch_prctl comes only from the arches-selected entry). */
    @Test
    void aPythonWorkerRunsUnderIt() {
        Harness.Run run = h.run(h.policy(Harness.appName("docker"), List.of("python3", "workload.py", "cert.pem", "key.pem"))
                .withSeccomp(profile.toString()));
        assertEquals(0, run.result().exitCode(), run.toString());
        assertEquals(SeccompWorkloadIT.ALL_PARTS, run.stdout());
        assertEquals(List.of(), run.result().denials());
        assertTrue(SeccompFixtures.seccompDetail(run.result()).startsWith("profile " + profile + ", "));
    }

    /**
     * What the selectors decide, enforced: the CAP_SYS_ADMIN and CAP_SYS_PTRACE entries are
     * skipped (EPERM by default; unfiltered, mount fails EFAULT, unshare and clone-newuser succeed,
     * process_vm_writev fails EFAULT), the minKernel 99 entry is skipped, the excludes-caps clone
     * rule is kept (namespace flags refused), ptrace's minKernel 4.8 entry is kept (the kernel
     * answers ESRCH), and clone3 gets the profile's ENOSYS without a notification.
     */
    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({"mount,EPERM,mount", "unshare,EPERM,unshare", "clone-newuser,EPERM,clone", "userfaultfd,EPERM,userfaultfd",
            "process_vm_writev,EPERM,process_vm_writev", "personality,EPERM,personality", "ptrace,ESRCH,",
            "clone3,ENOSYS,"})
    void enforcesWhatTheSelectorsDecided(String probe, String errno, String deniedSyscall) {
        Harness.Run run = h.run(h.policy(Harness.appName("docker"), List.of("./syscall-probe", probe, errno))
                .withSeccomp(profile.toString()));
        assertEquals(0, run.result().exitCode(), run.toString());
        JsonNode line = run.probe();
        assertEquals(errno, line.get("errno").asText(), run.toString());
        assertFalse(line.get("escaped").asBoolean(), run.toString());
        if (deniedSyscall == null) {
            assertEquals(List.of(), run.result().denials());
        } else {
            assertEquals(EPERM, SeccompFixtures.denial(run.result(), deniedSyscall).errno());
        }
    }

    /** Listing SCMP_ARCH_X32 and SCMP_ARCH_X86 does not let those ABIs in: native only. */
    @Test
    void otherAbisAreStillKilled() {
        for (String abi : List.of("x32", "int80")) {
            Harness.Run run = h.run(h.policy(Harness.appName("docker"), List.of("./syscall-probe", abi, "KILL"))
                    .withSeccomp(profile.toString()));
            assertEquals(Optional.of(SIGSYS), run.result().signal(), abi + ": " + run);
            assertEquals(List.of(), run.probes());
        }
    }

    @Test
    void cliCheckSummarisesIt() {
        SeccompFixtures.Cli r = SeccompFixtures.cli(h, h.appRoot, "seccomp", "check", "docker-like.json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("docker-like.json: valid; default action ERRNO(EPERM); 16 entries, "), r.out());
        assertEquals("", r.err());
    }

    static Stream<Arguments> brokenProfiles() {
        return Stream.of(
                Arguments.of("unknown-syscall.json", """
                        {
                          "defaultAction": "SCMP_ACT_ERRNO",
                          "syscalls": [
                            {"names": ["read", "write", "opne"], "action": "SCMP_ACT_ALLOW"}
                          ]
                        }
                        """, "unknown-syscall.json:4:33: syscalls[0].names[2]: \"opne\" is not a syscall name libseccomp"
                        + " knows; did you mean \"open\"?"),
                Arguments.of("bad-op.json", """
                        {
                          "defaultAction": "SCMP_ACT_ALLOW",
                          "syscalls": [
                            {
                              "names": ["personality"],
                              "action": "SCMP_ACT_ERRNO",
                              "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQUAL"}]
                            }
                          ]
                        }
                        """, "bad-op.json:7:47: syscalls[0].args[0].op: \"SCMP_CMP_EQUAL\" is not a comparison; use"
                        + " SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_LE, SCMP_CMP_LT, SCMP_CMP_MASKED_EQ or SCMP_CMP_NE"),
                Arguments.of("unknown-key.json", """
                        {
                          "defaultAction": "SCMP_ACT_ALLOW",
                          "syscalls": [
                            {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRett": 1}
                          ]
                        }
                        """, "unknown-key.json:4:54: unknown key \"syscalls[0].errnoRett\"; known keys in syscalls[0]:"
                        + " action, args, comment, errnoRet, excludes, includes, name, names"),
                Arguments.of("bad-action.json", """
                        {
                          "defaultAction": "SCMP_ACT_DENY",
                          "syscalls": []
                        }
                        """, "bad-action.json:2:20: defaultAction: \"SCMP_ACT_DENY\" is not an action; use SCMP_ACT_ALLOW,"
                        + " SCMP_ACT_ERRNO, SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_LOG,"
                        + " SCMP_ACT_NOTIFY, SCMP_ACT_TRACE or SCMP_ACT_TRAP"));
    }

    /** Each broken file: exit 2, nothing on stdout, and exactly this message (file:line:column: ...). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenProfiles")
    void brokenProfilesExit2WithTheirExactMessage(String file, String content, String expected) {
        Path dir = h.newDir("bad-profiles");
        TestDirs.write(dir, file, content, "rw-r--r--");
        SeccompFixtures.Cli check = SeccompFixtures.cli(h, dir, "seccomp", "check", file);
        assertEquals(2, check.code(), check.toString());
        assertEquals("", check.out());
        assertEquals("sandbox-run: " + expected, check.err().strip());
        // The same file given to a run: refused before anything starts, named by its absolute path.
        SeccompFixtures.Cli run = SeccompFixtures.cli(h, dir, "--app", Harness.appName("bad"), "--seccomp", file, "--", "true");
        assertEquals(2, run.code(), run.toString());
        assertEquals("", run.out());
        assertEquals("sandbox-run: " + dir + "/" + expected, run.err().strip());
    }

    private static String kernel() {
        String[] v = System.getProperty("os.version").split("[.-]");
        return v[0] + "." + v[1];
    }
}
