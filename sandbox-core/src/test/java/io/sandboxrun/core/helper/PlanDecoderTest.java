package io.sandboxrun.core.helper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs the built helper with {@code --check-plan} (decode and validate only, no side effect) on
 * what {@link PlanEncoder} writes and on plans broken one token at a time.
 */
class PlanDecoderTest {
    private static final Path HELPER = Path.of("target/native/sandbox-init");

    private record Result(int exit, String log, String stderr) {}

    private static Result check(List<String> tokens) throws Exception {
        // Plan on stdin (a pipe: the helper falls back from pread to read), log lines on stdout.
        Process p = new ProcessBuilder(HELPER.toString(), "--check-plan", "--plan-fd", "0", "--log-fd", "1").start();
        try (OutputStream in = p.getOutputStream()) {
            for (String t : tokens) {
                in.write(t.getBytes(StandardCharsets.UTF_8));
                in.write(0);
            }
        }
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), log, err);
    }

    private static HelperPlan everyOp() {
        List<MountOp> mounts = List.of(new MountOp.BindRo("/usr", "/usr"), new MountOp.BindRw("/var/data", "/data"),
                new MountOp.BindDev("/dev/null", "/dev/null"), new MountOp.Tmpfs("/tmp", 1 << 20, 01777),
                new MountOp.Proc("/proc"), new MountOp.Devpts("/dev/pts"), new MountOp.Dir("/app", 0755),
                new MountOp.File("/etc/hosts", 0644, "127.0.0.1 localhost\n"), new MountOp.Symlink("usr/bin", "/bin"),
                new MountOp.RemountRo("/"));
        Map<Rlimit, RlimitValue> rlimits = new EnumMap<>(Rlimit.class);
        for (Rlimit r : Rlimit.values()) rlimits.put(r, new RlimitValue(1, 2));
        rlimits.put(Rlimit.CORE, RlimitValue.of(RlimitValue.UNLIMITED));
        List<LandlockRule> rules = Arrays.stream(LandlockRule.Access.values()).map(a -> new LandlockRule(a, "/usr")).toList();
        return new HelperPlan(42, HelperPlan.allNamespaces(), 200000, 65536, 1000, 1000, "sandbox", 1 << 20, mounts,
                rlimits, LandlockMode.REQUIRED, rules, "/app", List.of("PATH=/usr/bin", "LANG=C.UTF-8"), 2,
                "/usr/bin/python3", List.of("python3", "-c", "print(1)"))
                .withControlFd(7).withCgroupProcsFds(List.of(9, 10)).withProxyListeners(true)
                .withSeccomp(new HelperPlan.Seccomp(8, true));
    }

    @Test
    void theHelperAcceptsEveryOpTheEncoderWrites() throws Exception {
        assertEquals(new Result(0, "", ""), check(PlanEncoder.tokens(everyOp())));
    }

    /** The error line for a plan-parse or plan-validate failure. */
    private static Result refused(String step, String msg) {
        return new Result(125, "{\"level\":\"error\",\"stage\":\"outer\",\"step\":\"" + step + "\",\"errno\":0,\"msg\":\""
                + msg.replace("\"", "\\\"") + "\"}\n", "");
    }

    /** The plan with the tokens from index {@code at} on (length {@code n}) replaced. */
    private static List<String> edit(int at, int n, String... with) {
        List<String> t = new ArrayList<>(PlanEncoder.tokens(everyOp()));
        t.subList(at, at + n).clear();
        t.addAll(at, List.of(with));
        return t;
    }

    private static int at(String op) {
        return PlanEncoder.tokens(everyOp()).indexOf(op);
    }

    @Test
    void eachBrokenPlanIsRefusedWithItsStepAndTheTokenAtFault() throws Exception {
        int chdir = at("chdir"), exec = at("exec"), user = at("user"), tmpfs = at("tmpfs"), cgroup = at("cgroup-procs");
        assertEquals(refused("plan-parse", "token " + (chdir + 1) + " \"frobnicate\": unknown op"),
                check(edit(chdir, 0, "frobnicate")));
        assertEquals(refused("plan-validate", "chdir (token " + (chdir + 3) + "): allowed once; first at token " + (chdir + 1)),
                check(edit(chdir, 0, "chdir", "/")));
        assertEquals(refused("plan-validate", "missing required op \"exec\""), check(edit(exec, 2)));
        assertEquals(refused("plan-parse", "parent-pid PID (token 3) \"4x\": not a decimal number"),
                check(edit(2, 1, "4x")));
        assertEquals(refused("plan-validate", "user UID (token " + (user + 2) + ") \"0\": out of range 1..4294967293"),
                check(edit(user + 1, 1, "0")));
        assertEquals(refused("plan-validate", "user GID (token " + (user + 3) + ") \"70000\": not below id-map COUNT 65536"),
                check(edit(user + 2, 1, "70000")));
        assertEquals(refused("plan-validate", "chdir DIR (token " + (chdir + 2) + ") \"app/..\": not an absolute path"),
                check(edit(chdir + 1, 1, "app/..")));
        assertEquals(refused("plan-parse", "tmpfs MODE (token " + (tmpfs + 4) + ") \"8\": not an octal mode"),
                check(edit(tmpfs + 3, 1, "8")));
        assertEquals(refused("plan-validate", "landlock MODE (token " + (at("landlock") + 2) + ") \"on\": "
                + "want off, best-effort or required"), check(edit(at("landlock") + 1, 1, "on")));
        assertEquals(refused("plan-validate", "cgroup-procs FD (token " + (cgroup + 2) + ") \"7\": the same fd as "
                + "control-fd (token " + (at("control-fd") + 1) + ")"), check(edit(cgroup + 1, 1, "7")));
        List<String> seventeen = new ArrayList<>();
        for (int fd = 20; fd < 37; fd++) seventeen.addAll(List.of("cgroup-procs", Integer.toString(fd)));
        assertEquals(refused("plan-validate", "cgroup-procs (token " + (cgroup + 1 + 2 * 16) + "): more than 16"),
                check(edit(cgroup, 4, seventeen.toArray(String[]::new))));
        int argv = at("argv");
        assertEquals(refused("plan-parse", "argv N (token " + (argv + 2) + ") \"9\": the plan ends before 9 argv tokens"),
                check(edit(argv + 1, 1, "9")));
    }
}
