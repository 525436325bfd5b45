package io.sandboxrun.tests.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.host.Feature;
import io.sandboxrun.core.launch.Ending;
import io.sandboxrun.core.launch.Instance;
import io.sandboxrun.core.launch.LaunchSpec;
import io.sandboxrun.core.launch.RunResult;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.launch.SetupFailure;
import io.sandboxrun.core.launch.Stdio;
import io.sandboxrun.core.linux.Errno;
import io.sandboxrun.core.linux.Mount;
import io.sandboxrun.core.linux.Signals;
import io.sandboxrun.core.policy.LandlockMode;
import io.sandboxrun.core.policy.Policy;
import io.sandboxrun.core.policy.Rlimit;
import io.sandboxrun.core.policy.RlimitValue;
import io.sandboxrun.core.testing.Requires;
import io.sandboxrun.core.testing.TestDirs;
import io.sandboxrun.tests.Harness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Exit status mirrors the app; the runtime's own failures are 125, 126, 127 with a clear message. */
@Requires({Feature.ROOT, Feature.USERNS, Feature.HELPER})
class ExitCodesIT {
    static Harness h;

    @BeforeAll
    static void setUp() {
        h = new Harness();
        TestDirs.write(h.appRoot, "not-executable.sh", "#!/bin/sh\necho never\n", "rw-r--r--");
        TestDirs.write(h.appRoot, "no-shebang.sh", "echo never\n", "rwxr-xr-x");
        TestDirs.write(h.appRoot, "foreign.bin", "\u007fELF\u0002\u0001\u0001 not really a program", "rwxr-xr-x");
    }

    @AfterAll
    static void tearDown() { h.close(); }

    private Harness.Run run(String... command) {
        return h.run(h.policy(Harness.appName("exit"), List.of(command)));
    }

    @Test
    void appExitCodeIsPassedThrough() {
        RunResult r = run("python3", "-c", "import sys; sys.exit(7)").result();
        assertEquals(7, r.exitCode());
        assertEquals(Optional.of(7), r.code());
        assertEquals(0, run("true").result().exitCode());
    }

    @Test
    void killedBySignalIs128PlusSignal() {
        RunResult r = run("python3", "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)").result();
        assertEquals(143, r.exitCode());
        assertEquals(Optional.of(15), r.signal());
        RunResult k = run("sh", "-c", "kill -9 $$").result();
        assertEquals(137, k.exitCode());
    }

    @Test
    void commandNotFoundIs127() {
        SetupException e = assertThrows(SetupException.class, () -> run("no-such-command-here"));
        assertEquals(127, e.exitCode());
        assertTrue(e.getMessage().contains("no-such-command-here"), e.getMessage());
    }

    @Test
    void notExecutableIs126() {
        Harness.Run run = run("./not-executable.sh");
        assertEquals(126, run.result().exitCode(), run.toString());
        assertEquals("exec", run.result().failure().orElseThrow().step());
    }

    /** The message of a failed execve: the errno by name and in words, the cause on the host, a hint. */
    @Test
    void notExecutableSaysWhyWithTheErrno() throws Exception {
        String host = h.appRoot.toRealPath().toString();
        SetupFailure noX = failed(126, "./not-executable.sh");
        assertEquals(Errno.EACCES, noX.errno());
        assertTrue(noX.message().matches("cannot run the command of app \"exit-[0-9a-f]{8}\": execve /app/not-executable.sh:"
                + " EACCES \\(Permission denied\\): /app/not-executable.sh \\(host file " + host + "/not-executable.sh,"
                + " mode 0644, owner root\\(0\\)\\) has no execute permission for the app \\(uid 1000 inside, host uid"
                + " 201000\\)\nHint: chmod a\\+x " + host + "/not-executable.sh, or run it through its interpreter"),
                noX.message());

        SetupFailure noShebang = failed(126, "./no-shebang.sh");
        assertEquals(Errno.ENOEXEC, noShebang.errno());
        assertTrue(noShebang.message().endsWith(": execve /app/no-shebang.sh: ENOEXEC (Exec format error): /app/no-shebang.sh"
                + " has no #! line and is not an ELF binary, so the kernel does not know how to run it\nHint: make its"
                + " first line a #! line naming its interpreter (e.g. #!/bin/sh), or run it through one (e.g. sh"
                + " /app/no-shebang.sh)"), noShebang.message());

        assertTrue(failed(126, "./foreign.bin").message().endsWith(": execve /app/foreign.bin: ENOEXEC (Exec format error):"
                + " /app/foreign.bin is an ELF file this kernel cannot load (built for another architecture, or damaged)\n"
                + "Hint: check it on the host with: file " + host + "/foreign.bin"));

        assertTrue(failed(126, "/app").message().endsWith(": execve /app: EACCES (Permission denied): /app is a directory"
                + "\nHint: name the program inside it"));
    }

    /** A program still open for writing: ETXTBSY, said in words. */
    @Test
    void aProgramOpenForWritingIsTextFileBusy() throws Exception {
        Path prog = h.appRoot.resolve("busy");
        java.nio.file.Files.copy(Path.of("/bin/true"), prog);
        java.nio.file.Files.setPosixFilePermissions(prog, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var writer = java.nio.channels.FileChannel.open(prog, java.nio.file.StandardOpenOption.WRITE)) {
            SetupFailure f = failed(126, "./busy");
            assertEquals(Errno.ETXTBSY, f.errno(), f.toString());
            assertTrue(f.message().endsWith(": execve /app/busy: ETXTBSY (Text file busy): /app/busy (" + h.appRoot.toRealPath()
                    + "/busy on the host) is open for writing by some process\nHint: wait until whatever writes it (a copy,"
                    + " a build) has closed it, then run again"), f.message());
        } finally {
            java.nio.file.Files.delete(prog);
        }
        assertEquals(0, run("true").result().exitCode());
    }

    /** An app root on a noexec mount: EACCES naming the mount. */
    @Test
    void aProgramOnANoexecMountSaysSo() throws Exception {
        Path mnt = h.newDir("noexec");
        Mount.mountTmpfs(mnt, "size=1m,mode=755", Mount.MS_NOEXEC | Mount.MS_NOSUID | Mount.MS_NODEV);
        try {
            java.nio.file.Files.copy(Path.of("/bin/true"), mnt.resolve("tool"));
            java.nio.file.Files.setPosixFilePermissions(mnt.resolve("tool"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Policy p = h.policy(Harness.appName("noexec"), mnt, List.of("./tool"), LandlockMode.BEST_EFFORT, 8L << 20,
                    List.of(), List.of(), Map.of());
            Harness.Run run = h.run(p);
            assertEquals(126, run.result().exitCode(), run.toString());
            assertTrue(run.result().failure().orElseThrow().message().endsWith(": execve /app/tool: EACCES (Permission"
                    + " denied): /app/tool (" + mnt + "/tool on the host) lies on a filesystem mounted noexec (host mount "
                    + mnt + "), where nothing may be executed\nHint: keep programs on a filesystem mounted without noexec"
                    + " (/tmp, /saetmp, /dev/shm inside are noexec too), or run a script through its interpreter"),
                    run.toString());
        } finally {
            Mount.unmount(mnt, true);
        }
    }

    /**
     * A policy built in code skips the resolver's checks: an environment string longer than
     * MAX_ARG_STRLEN reaches execve, whose E2BIG is said in words.
     */
    @Test
    void anArgumentListTooLongForExecveIsSaidInWords() {
        Policy p = h.policy(Harness.appName("e2big"), h.appRoot, List.of("true"), LandlockMode.BEST_EFFORT, 8L << 20,
                List.of(), List.of(), Map.of("BIG", "x".repeat(200 * 1024)));
        Harness.Run run = h.run(p);
        assertEquals(126, run.result().exitCode(), run.toString());
        SetupFailure f = run.result().failure().orElseThrow();
        assertEquals(Errno.E2BIG, f.errno());
        assertTrue(f.message().endsWith(": execve /usr/bin/true: E2BIG (Argument list too long): the argument list is"
                + " too long: the command's words, the environment and their pointers exceed what execve takes (each"
                + " string at most 128K; all of them a quarter of the stack rlimit, at most 6M, at least 128K)\nHint:"
                + " shorten them or pass large data in a file; a small stack rlimit lowers the limit"), f.message());
    }

    /** A launch whose app root the app's uid cannot enter stops before the helper runs. */
    @Test
    void anAppRootTheAppCannotEnterFailsBeforeTheLaunch() throws Exception {
        Path closed = h.newDir("closed");
        java.nio.file.Files.setPosixFilePermissions(closed, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        Policy p = h.policy(Harness.appName("closed"), closed, List.of("true"), LandlockMode.BEST_EFFORT, 8L << 20,
                List.of(), List.of(), Map.of());
        SetupException e = assertThrows(SetupException.class, () -> h.run(p));
        assertEquals(125, e.exitCode());
        assertEquals("cannot set up sandbox for app \"" + p.app() + "\": app-root: \"" + closed + "\" (mode 0700, owner"
                + " root(0), group root(0)) cannot be entered by the app: it runs as uid 1000 inside, which is host uid 201000"
                + " (user.host-id-base 200000 + user.uid 1000) with gid 201000, and the mode gives it the others' bits ---,"
                + " without search (x) permission; let it in, e.g. chmod a+rX " + closed, e.getMessage());
    }

    /**
     * What the mode bits allow an ACL can still refuse: then the helper's chdir fails, and the
     * message says so. (The ACL is written as its xattr: the host has no setfacl.)
     */
    @Test
    void anAppRootRefusedByAnAclIsExplainedWhenChdirFails() throws Exception {
        Path root = h.newDir("acl");
        java.nio.file.Files.copy(Path.of("/bin/true"), root.resolve("t"));
        java.nio.file.Files.setPosixFilePermissions(root.resolve("t"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        // user::rwx user:201000:--- group::r-x mask::r-x other::r-x (acl_ea.h: version 2, then tag, perm, id)
        Process set = new ProcessBuilder("python3", "-c", "import os, struct, sys\n"
                + "e = [(1, 7, 0xffffffff), (2, 0, 201000), (4, 5, 0xffffffff), (0x10, 5, 0xffffffff), (0x20, 5, 0xffffffff)]\n"
                + "os.setxattr(sys.argv[1], 'system.posix_acl_access', struct.pack('<I', 2)"
                + " + b''.join(struct.pack('<HHI', *x) for x in e))\n", root.toString()).inheritIO().start();
        assertEquals(0, set.waitFor());
        Policy p = h.policy(Harness.appName("acl"), root, List.of("/app/t"), LandlockMode.BEST_EFFORT, 8L << 20,
                List.of(), List.of(), Map.of());
        Harness.Run run = h.run(p);
        assertEquals(125, run.result().exitCode(), run.toString());
        SetupFailure f = run.result().failure().orElseThrow();
        assertEquals("chdir", f.step());
        assertEquals("cannot set up sandbox for app \"" + p.app() + "\": chdir: chdir /app: EACCES (Permission denied): the"
                + " app (uid 1000 inside, host uid 201000) may not enter app root \"" + root + "\" although its mode 0755"
                + " allows it: an ACL or a security module refuses it\nHint: see getfacl " + root, f.message());
    }

    /**
     * The host-side helper killed from outside: not the app's SIGKILL (137) but a failure naming
     * the supervisor's pid; the launcher's own kill() stays the app's end.
     */
    @Test
    void aSupervisorKilledFromOutsideIsAFailureNotTheAppsEnd() throws Exception {
        Instance i = Harness.runtime().launch(new LaunchSpec(h.policy(Harness.appName("sup"),
                List.of("sh", "-c", "echo ready; exec sleep 60")), Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        BufferedReader out = new BufferedReader(new InputStreamReader(i.stdout().orElseThrow(), StandardCharsets.UTF_8));
        assertEquals("ready", out.readLine());
        List<Long> tree = ProcessTree.descendants(i.pid());
        assertTrue(Signals.send(i.pid(), Signals.SIGKILL));
        RunResult r = i.onExit().get(20, TimeUnit.SECONDS);
        assertEquals(125, r.exitCode(), r.toString());
        assertEquals(Optional.empty(), r.signal());
        assertEquals(Optional.empty(), r.code());
        SetupFailure f = r.failure().orElseThrow();
        assertEquals("supervisor", f.step());
        assertEquals(Ending.Reason.SUPERVISOR_DIED, r.ending().reason());
        assertEquals("cannot supervise sandbox for app \"" + i.app() + "\": its supervisor (sandbox-init, pid " + i.pid()
                + ") was killed by signal 9, not by the launcher; the app was ended with it, and how the app itself would"
                + " have ended is unknown", f.message());
        ProcessTree.awaitGone(tree, 5000);
        for (long pid : tree) assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid);

        Instance k = Harness.runtime().launch(new LaunchSpec(h.policy(Harness.appName("sup"),
                List.of("sh", "-c", "echo ready; exec sleep 60")), Stdio.NULL, Stdio.PIPE, Stdio.NULL));
        assertEquals("ready", new BufferedReader(new InputStreamReader(k.stdout().orElseThrow(), StandardCharsets.UTF_8))
                .readLine());
        k.kill();
        RunResult killed = k.onExit().get(20, TimeUnit.SECONDS);
        assertEquals(137, killed.exitCode(), killed.toString());
        assertEquals(Optional.of(9), killed.signal());
        assertEquals(Optional.empty(), killed.failure());
        assertEquals(Ending.Reason.KILLED, killed.ending().reason());
    }

    private SetupFailure failed(int code, String... command) {
        Harness.Run run = run(command);
        assertEquals(code, run.result().exitCode(), run.toString());
        return run.result().failure().orElseThrow();
    }

    /**
     * A plan the launcher accepts but the kernel refuses: an open-files limit above fs.nr_open.
     * The helper's rlimit step fails; exit 125 naming the step, the errno and the limit.
     */
    @Test
    void brokenPlanIs125WithTheStep() throws Exception {
        long nrOpen = Long.parseLong(java.nio.file.Files.readAllLines(Path.of("/proc/sys/fs/nr_open")).get(0).trim());
        Policy base = h.policy(Harness.appName("exit"), List.of("true"));
        Policy p = base.withRlimits(java.util.Map.of(Rlimit.NOFILE, RlimitValue.of(nrOpen + 1)));
        Harness.Run run = h.run(p);
        assertEquals(125, run.result().exitCode(), run.toString());
        var f = run.result().failure().orElseThrow();
        assertEquals("rlimit", f.step());
        assertEquals(Errno.EPERM, f.errno(), f.toString());
        assertTrue(f.message().contains("nofile"), f.message());
    }
}
