package io.sandboxrun.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanEncoderTest {
    static HelperPlan plan(List<MountOp> mounts, List<String> argv) {
        return new HelperPlan(42, HelperPlan.allNamespaces(), 200000, 65536, 1000, 1000, "sandbox", 1 << 20, mounts,
                Map.of(Rlimit.NOFILE, new RlimitValue(512, 1024), Rlimit.CORE, RlimitValue.of(0)),
                LandlockMode.BEST_EFFORT, List.of(new LandlockRule(LandlockRule.Access.RO, "/usr")), "/app",
                List.of("PATH=/usr/bin"), 1, "/usr/bin/python3", argv);
    }

    @Test
    void tokensFollowTheProtocolTable() {
        List<MountOp> mounts = List.of(new MountOp.BindRo("/usr", "/usr"), new MountOp.Tmpfs("/dev", 65536, 0755),
                new MountOp.File("/etc/hosts", 0644, "127.0.0.1 localhost\n"), new MountOp.Symlink("usr/bin", "/bin"),
                new MountOp.RemountRo("/"));
        assertEquals(List.of(PlanEncoder.MAGIC,
                "parent-pid", "42",
                "namespaces", "user,mount,pid,net,ipc,uts,cgroup",
                "id-map", "200000", "65536",
                "user", "1000", "1000",
                "hostname", "sandbox",
                "root-size", "1048576",
                "bind-ro", "/usr", "/usr",
                "tmpfs", "/dev", "65536", "755",
                "file", "/etc/hosts", "644", "127.0.0.1 localhost\n",
                "symlink", "usr/bin", "/bin",
                "remount-ro", "/",
                "rlimit", "nofile", "512", "1024",
                "rlimit", "core", "0", "0",
                "landlock", "best-effort",
                "landlock-path", "ro", "/usr",
                "chdir", "/app",
                "env", "PATH=/usr/bin",
                "listen-fds", "1",
                "exec", "/usr/bin/python3",
                "argv", "2", "python3", "app.py",
                "end"), PlanEncoder.tokens(plan(mounts, List.of("python3", "app.py"))));
    }

    @Test
    void controlFdAndSeccompComeAfterListenFds() {
        HelperPlan p = plan(List.of(), List.of("true")).withControlFd(7).withSeccomp(new HelperPlan.Seccomp(8, true));
        List<String> t = PlanEncoder.tokens(p);
        int at = t.indexOf("listen-fds");
        assertEquals(List.of("listen-fds", "1", "control-fd", "7", "seccomp", "8", "listener", "exec"), t.subList(at, at + 8));
        assertEquals(List.of("seccomp", "9", "no-listener"), seccompTokens(plan(List.of(), List.of("true"))
                .withSeccomp(new HelperPlan.Seccomp(9, false))));
    }

    @Test
    void withoutThemThePlanHasNeither() {
        List<String> t = PlanEncoder.tokens(plan(List.of(), List.of("true")));
        assertEquals(-1, t.indexOf("control-fd"));
        assertEquals(-1, t.indexOf("seccomp"));
    }

    @Test
    void aListenerNeedsAControlFdAboveTheListenFds() {
        HelperPlan p = plan(List.of(), List.of("true"));
        assertEquals("a seccomp listener needs a control fd (withControlFd first)",
                assertThrows(IllegalArgumentException.class, () -> p.withSeccomp(new HelperPlan.Seccomp(8, true))).getMessage());
        assertEquals("control fd 3: want 4 or above",
                assertThrows(IllegalArgumentException.class, () -> p.withControlFd(3)).getMessage());
        assertEquals("seccomp program fd 7 is the control fd",
                assertThrows(IllegalArgumentException.class,
                        () -> p.withControlFd(7).withSeccomp(new HelperPlan.Seccomp(7, true))).getMessage());
    }

    @Test
    void cgroupProcsFdsComeBeforeSeccompOnePerHierarchy() {
        HelperPlan p = plan(List.of(), List.of("true")).withControlFd(7).withCgroupProcsFds(List.of(9, 10))
                .withSeccomp(new HelperPlan.Seccomp(8, true));
        List<String> t = PlanEncoder.tokens(p);
        int at = t.indexOf("control-fd");
        assertEquals(List.of("control-fd", "7", "cgroup-procs", "9", "cgroup-procs", "10", "seccomp"), t.subList(at, at + 7));
        assertEquals("cgroup.procs fd 7: want 4 or above, not the control or seccomp fd",
                assertThrows(IllegalArgumentException.class, () -> p.withCgroupProcsFds(List.of(7))).getMessage());
        assertEquals("cgroup.procs fds repeat: [9, 9]",
                assertThrows(IllegalArgumentException.class, () -> p.withCgroupProcsFds(List.of(9, 9))).getMessage());
    }

    private static List<String> seccompTokens(HelperPlan p) {
        List<String> t = PlanEncoder.tokens(p);
        int at = t.indexOf("seccomp");
        return t.subList(at, at + 3);
    }

    @Test
    void bytesAreNulTerminatedTokens() {
        byte[] bytes = PlanEncoder.encode(plan(List.of(), List.of("true")));
        String text = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, bytes[bytes.length - 1]);
        assertEquals(String.join("\0", PlanEncoder.tokens(plan(List.of(), List.of("true")))) + "\0", text);
    }

    @Test
    void aNulByteInAnyTokenIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlanEncoder.encode(plan(List.of(), List.of("echo", "a\0b"))));
        assertEquals("plan token contains a NUL byte: a?b", e.getMessage());
    }

    @Test
    void aPlanLargerThanTheHelperReadsIsRefusedBeforeTheSpawn() {
        String word = "w".repeat(100_000);
        java.util.List<String> argv = java.util.Collections.nCopies(11, word);
        io.sandboxrun.core.launch.SetupException e = assertThrows(io.sandboxrun.core.launch.SetupException.class,
                () -> PlanEncoder.encode(plan(List.of(), argv)));
        assertEquals(125, e.exitCode());
        assertEquals("plan-read", e.step());
        assertEquals("cannot set up sandbox: its plan for sandbox-init is 1100318 bytes in 50 tokens, more than the helper"
                + " reads (1048576 bytes, 65536 tokens); 0 mount ops, 1 variables and 11 words of command: shorten them",
                e.getMessage());
    }

    @Test
    void theLimitsAreTheHelpers() throws Exception {
        String header = java.nio.file.Files.readString(java.nio.file.Path.of("src/main/c/sandbox-init/sandbox-init.h"));
        assertEquals(true, header.contains("#define PLAN_MAX_BYTES (1024 * 1024)"), "PLAN_MAX_BYTES changed");
        assertEquals(true, header.contains("#define PLAN_MAX_TOKENS " + PlanEncoder.MAX_TOKENS), "PLAN_MAX_TOKENS changed");
        assertEquals(1024 * 1024, PlanEncoder.MAX_BYTES);
        // What a policy's argv and env may take leaves room in the plan for everything else.
        assertEquals(true, io.sandboxrun.core.policy.ExecArgs.MAX_TOTAL + 4L * io.sandboxrun.core.policy.ExecArgs.MAX_STRINGS
                <= PlanEncoder.MAX_BYTES - 64 * 1024);
        assertEquals(true, 2L * io.sandboxrun.core.policy.ExecArgs.MAX_STRINGS <= PlanEncoder.MAX_TOKENS - 4096);
    }
}
