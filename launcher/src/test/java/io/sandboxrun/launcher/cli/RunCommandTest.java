package io.sandboxrun.launcher.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.policy.CgroupPolicy;
import io.sandboxrun.core.policy.IoLimit;
import io.sandboxrun.core.policy.Limits;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.PolicyDefaults;
import io.sandboxrun.core.policy.PolicyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The cgroup options as far as a resolved policy: nothing here launches a sandbox. */
class RunCommandTest {
    private static final long M = 1L << 20;

    @TempDir Path tmp;

    @Test
    void withoutOptionsTheDefaultsHold() {
        Policy p = resolve("--", "true");

        assertEquals(PolicyDefaults.CGROUP, p.cgroup());
        assertEquals(PolicyDefaults.LIMITS, p.limits());
        assertEquals(PolicyDefaults.INSTANCE_LIMITS, p.instanceLimits());
    }

    @Test
    void optionsSetTheAppLimits() {
        Policy p = resolve("--cgroup", "required", "--cgroup-root", "/sandbox-run", "--memory", "256M",
                "--memory-high", "200M", "--cpus", "0.5", "--cpu-weight", "50", "--pids", "max",
                "--io-max", "8:0:wbps=10M,riops=100", "--io-max", "8:16:rbps=max", "--", "true");

        assertEquals(new CgroupPolicy(CgroupPolicy.Mode.REQUIRED, "/sandbox-run"), p.cgroup());
        assertEquals(new Limits(256 * M, 200 * M, 500, 50, Limits.UNLIMITED, List.of(
                new IoLimit(8, 0, null, 10 * M, 100L, null), new IoLimit(8, 16, Limits.UNLIMITED, null, null, null))),
                p.limits());
        assertEquals(Limits.none(), p.instanceLimits());
    }

    @Test
    void optionsOverrideThePolicyFileFieldByField() throws IOException {
        Path file = Files.writeString(tmp.resolve("sandbox.yaml"), String.join("\n",
                "command: [\"true\"]",
                "cgroup: {mode: off}",
                "limits:",
                "  memory: 512M",
                "  pids: 100",
                "  io: [{device: \"8:0\", rbps: 1M}]",
                "instance-limits: {memory: 128M}",
                ""));

        Policy p = resolve("--policy", file.toString(), "--pids", "200", "--io-max", "8:16:wiops=5");

        assertEquals(new CgroupPolicy(CgroupPolicy.Mode.OFF, null), p.cgroup());
        assertEquals(new Limits(512 * M, null, null, null, 200L, List.of(new IoLimit(8, 16, null, null, null, 5L))),
                p.limits());
        assertEquals(Limits.none().withMemory(128 * M), p.instanceLimits());
    }

    @Test
    void memoryHighAboveTheFilesMemoryNamesBoth() throws IOException {
        Path file = Files.writeString(tmp.resolve("m.yaml"), "command: [\"true\"]\nlimits:\n  memory: 256M\n");

        PolicyException e = assertThrows(PolicyException.class,
                () -> resolve("--policy", file.toString(), "--memory-high", "1G"));

        assertEquals("--memory-high: 1G is above memory 256M (" + file + ":3:11 limits.memory); memory-high must not"
                + " exceed memory: use at most 256M, or raise memory", e.getMessage());
    }

    @Test
    void badValuesExitWith2NamingTheOptionAndWhatIsAllowed() {
        usage("sandbox-run: --memory: \"12Q\" is not a size; use a number with K, M or G (e.g. 256M), or max",
                "--memory", "12Q");
        usage("sandbox-run: --memory-high: \"512K\" is out of range; use 1M to 1024G, or max", "--memory-high", "512K");
        usage("sandbox-run: --cpus: \"0.0001\" has more than 3 decimals; use 0.01 to 1024 in steps of 0.001 (e.g. 0.5),"
                + " or max", "--cpus", "0.0001");
        usage("sandbox-run: --cpu-weight: \"0\" is out of range; use 1 to 10000 (100 is the kernel's default)",
                "--cpu-weight", "0");
        usage("sandbox-run: --pids: \"-1\" is not a whole number; use 1 to 4194304, or max", "--pids", "-1");
        usage("sandbox-run: --cgroup: \"on\" is not a cgroup mode; use off, best-effort or required", "--cgroup", "on");
        usage("sandbox-run: --cgroup-root: \"/a//b\" has an empty component; use an absolute cgroup path such as"
                + " /sandbox-run, without empty, '.' or '..' components", "--cgroup-root", "/a//b");
        usage("sandbox-run: --io-max: \"8:0\" is not an io limit; use DEV:KEY=VALUE[,KEY=VALUE] with DEV MAJOR:MINOR"
                + " or a /dev path and KEY rbps, wbps, riops or wiops (e.g. 8:0:wbps=10M,riops=100)", "--io-max", "8:0");
        usage("sandbox-run: --io-max: \"/dev/null\" is not a block device; use MAJOR:MINOR (e.g. 8:0) or the path of"
                + " a block device (e.g. /dev/sda)", "--io-max", "/dev/null:rbps=1M");
        usage("sandbox-run: --io-max: device 8:0 is already limited (--io-max); give each device once, with all its"
                + " keys", "--io-max", "8:0:rbps=1M", "--io-max", "8:0:wbps=1M");
        usage("sandbox-run: --memory-high: 2G is above memory 1G (--memory); memory-high must not exceed memory: use"
                + " at most 1G, or raise memory", "--memory", "1G", "--memory-high", "2G");
    }

    @Test
    void helpListsTheOptionsWithTheirDefaults() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));

        assertEquals(0, cl.execute("--help"));

        String help = out.toString().replaceAll("\\s+", " ");
        for (String s : List.of("--memory=SIZE", "--memory-high=SIZE", "--cpus=N", "--cpu-weight=N", "--pids=N",
                "--io-max=DEV:KEY=V[,KEY=V]", "--cgroup=MODE", "--cgroup-root=PATH", "(default: 1024)",
                "(default: best-effort)")) {
            assertTrue(help.contains(s), "no " + s + " in --help:\n" + out);
        }
    }

    /** The policy these arguments resolve to, as {@code call()} would launch it. */
    private static Policy resolve(String... args) {
        CommandLine cl = Main.commandLine();
        cl.parseArgs(args);
        return ((RunCommand) cl.getCommand()).resolvePolicy();
    }

    /** Runs the command with {@code args} (and a command, so only the option can be wrong). */
    private static void usage(String message, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        String[] withCommand = java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--", "true")).toArray(String[]::new);

        int code = cl.execute(withCommand);

        assertEquals(ExitCodes.USAGE, code, err.toString());
        assertEquals(message, err.toString().strip());
    }
}
