package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.helper.FsPlan;
import io.sandboxrun.core.helper.LandlockRule;
import io.sandboxrun.core.helper.LandlockRule.Access;
import io.sandboxrun.core.helper.MountOp;
import io.sandboxrun.core.helper.MountOp.BindDev;
import io.sandboxrun.core.helper.MountOp.BindRo;
import io.sandboxrun.core.helper.MountOp.BindRw;
import io.sandboxrun.core.helper.MountOp.Symlink;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WhitelistPlannerTest {
    static final Path APP_ROOT = Path.of("/srv/apps/hello");
    static final Path HOST_TMP = Path.of("/var/lib/sandbox-run/saetmp/2cf24dba/hello");
    static final String INSIDE_TMP = "/saetmp/2cf24dba/hello";
    static final String PYENV = "/root/.pyenv/versions/3.11.7";

    Path root;
    FakeHost host;
    FakeLoader loader;

    @BeforeEach
    void setUp() {
        root = FakeHost.newRoot();
        host = FakeHost.debian(root);
        loader = new FakeLoader(root);
    }

    @AfterEach
    void tearDown() {
        FakeHost.delete(root);
    }

    private WhitelistPlanner.WhitelistPlan plan(Policy p) {
        return plan(p, false);
    }

    private WhitelistPlanner.WhitelistPlan plan(Policy p, boolean tty) {
        WhitelistPlanner planner = new WhitelistPlanner(host.fs(), new CommandResolver(host.fs(), loader, FakeHost.LOADER));
        return planner.planDetailed(p, HOST_TMP, INSIDE_TMP, tty);
    }

    private static Policy policy(String... command) {
        return Policies.of("hello", APP_ROOT, List.of(command));
    }

    private static List<String> bindTargets(FsPlan plan) {
        List<String> out = new ArrayList<>();
        for (MountOp op : plan.mounts()) if (op instanceof BindRo b) out.add(b.target());
        return out;
    }

    private void usrPython() {
        host.elf("/usr/bin/python3.11", FakeHost.LOADER).link("/usr/bin/python3", "python3.11");
        loader.answer("/usr/bin/python3.11", """
                \tlinux-vdso.so.1 (0x00007f71ad5d7000)
                \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f71ad4e6000)
                \tlibz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x00007f71ad4c7000)
                \tlibexpat.so.1 => /lib/x86_64-linux-gnu/libexpat.so.1 (0x00007f71ad49c000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f71ad2ba000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f71ad5d9000)
                """);
        for (String l : List.of("libz.so.1", "libexpat.so.1")) host.file("/usr/lib/x86_64-linux-gnu/" + l, "", false);
    }

    @Test
    void usrPythonNeedsOnlyTheFixedWhitelist() {
        usrPython();
        WhitelistPlanner.WhitelistPlan wp = plan(policy("python3", "-m", "wsgiref_server"));
        FsPlan plan = wp.fsPlan();

        List<MountOp> expected = new ArrayList<>();
        expected.add(new BindRo("/usr", "/usr"));
        expected.add(new Symlink("usr/bin", "/bin"));
        expected.add(new Symlink("usr/sbin", "/sbin"));
        expected.add(new Symlink("usr/lib", "/lib"));
        expected.add(new Symlink("usr/lib64", "/lib64"));
        expected.add(new BindRo("/etc/ld.so.cache", "/etc/ld.so.cache"));
        expected.add(new MountOp.File("/etc/passwd", 0644, """
                root:x:0:0:root:/root:/usr/sbin/nologin
                app:x:1000:1000:app:/saetmp/2cf24dba/hello:/usr/sbin/nologin
                nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                """));
        expected.add(new MountOp.File("/etc/group", 0644, "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n"));
        expected.add(new MountOp.File("/etc/hosts", 0644,
                "127.0.0.1\tlocalhost sandbox\n::1\tlocalhost ip6-localhost ip6-loopback sandbox\n"));
        expected.add(new MountOp.File("/etc/hostname", 0644, "sandbox\n"));
        expected.add(new MountOp.File("/etc/resolv.conf", 0644, EtcFiles.RESOLV_CONF));
        expected.add(new MountOp.File("/etc/nsswitch.conf", 0644, EtcFiles.NSSWITCH_CONF));
        expected.add(new Symlink("/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"));
        expected.add(new BindRo("/etc/mime.types", "/etc/mime.types"));
        expected.add(new BindRo("/etc/ssl/certs", "/etc/ssl/certs"));
        expected.add(new BindRo("/etc/alternatives", "/etc/alternatives"));
        expected.add(new BindRo("/srv/apps/hello", "/app"));
        expected.add(new BindRw(HOST_TMP.toString(), INSIDE_TMP));
        expected.add(new BindRw(HOST_TMP + "/tmp", "/tmp"));
        expected.add(new MountOp.Proc("/proc"));
        expected.add(new MountOp.Tmpfs("/dev", 65536, 0755));
        for (String d : List.of("null", "zero", "full", "random", "urandom")) expected.add(new BindDev("/dev/" + d, "/dev/" + d));
        expected.add(new Symlink("/proc/self/fd", "/dev/fd"));
        expected.add(new Symlink("/proc/self/fd/0", "/dev/stdin"));
        expected.add(new Symlink("/proc/self/fd/1", "/dev/stdout"));
        expected.add(new Symlink("/proc/self/fd/2", "/dev/stderr"));
        expected.add(new MountOp.Tmpfs("/dev/shm", 64 << 20, 01777));
        expected.add(new MountOp.RemountRo("/dev"));
        expected.add(new MountOp.RemountRo("/"));
        assertEquals(expected, plan.mounts());

        assertEquals(List.of(
                new LandlockRule(Access.RO, "/usr"),
                new LandlockRule(Access.RO, "/etc"),
                new LandlockRule(Access.RO, "/app"),
                new LandlockRule(Access.RW, INSIDE_TMP),
                new LandlockRule(Access.RW, "/tmp"),
                new LandlockRule(Access.RO, "/proc"),
                new LandlockRule(Access.DEV, "/dev/null"),
                new LandlockRule(Access.DEV, "/dev/zero"),
                new LandlockRule(Access.DEV, "/dev/full"),
                new LandlockRule(Access.DEV, "/dev/random"),
                new LandlockRule(Access.DEV, "/dev/urandom"),
                new LandlockRule(Access.RW, "/dev/shm")), plan.landlock());
        assertEquals("/app", plan.workdir());
        assertEquals("/usr/bin/python3", plan.executable());
        assertEquals(CommandResolution.Status.EXECUTABLE, wp.command().status());
        assertEquals(List.of(), wp.command().binds());
        assertEquals(List.of(), wp.command().warnings());
        assertEquals(List.of("/usr/bin/python3.11"), loader.listed);
    }

    @Test
    void neverBindsSecretsOrTheWholeRoot() {
        usrPython();
        FsPlan plan = plan(policy("python3")).fsPlan();
        for (MountOp op : plan.mounts()) {
            if (op instanceof BindRo b) {
                assertFalse(b.source().equals("/") || b.source().equals("/etc") || b.source().startsWith("/etc/shadow"), b.toString());
            }
        }
        assertFalse(plan.landlock().stream().anyMatch(r -> r.path().equals("/")));
    }

    @Test
    void pyenvInterpreterBindsOnlyItsPrefix() {
        host.elf(PYENV + "/bin/python3.11", FakeHost.LOADER).link(PYENV + "/bin/python3", "python3.11")
                .file(PYENV + "/lib/python3.11/os.py", "", false).dir(PYENV + "/lib/python3.11/lib-dynload")
                .file(PYENV + "/lib/libpython3.11.so.1.0", "", false)
                .file("/root/.bashrc", "", false).dir("/root/.pyenv/shims");
        loader.answer(PYENV + "/bin/python3.11", """
                \tlinux-vdso.so.1 (0x00007f49f25ed000)
                \tlibpython3.11.so.1.0 => /root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0 (0x00007f49f2000000)
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f49f1e1e000)
                \tlibm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f49f1d3e000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f49f25ef000)
                """);
        WhitelistPlanner.WhitelistPlan wp = plan(policy(PYENV + "/bin/python3", "app.py"));

        assertEquals(List.of(PYENV), wp.command().binds());
        assertEquals(PYENV + "/bin/python3", wp.fsPlan().executable());
        List<String> targets = bindTargets(wp.fsPlan());
        assertTrue(targets.contains(PYENV), targets.toString());
        assertFalse(targets.contains("/root") || targets.contains("/root/.pyenv"), targets.toString());
        assertTrue(wp.fsPlan().landlock().contains(new LandlockRule(Access.RO, PYENV)));
        // extra binds come right after the runtime, before /etc
        assertEquals(new BindRo(PYENV, PYENV), wp.fsPlan().mounts().get(6));
    }

    @Test
    void venvInTheAppRootBindsItsBaseInterpreterPrefix() {
        host.elf(PYENV + "/bin/python3.11", FakeHost.LOADER).file(PYENV + "/lib/python3.11/os.py", "", false);
        host.dir("/srv/apps/hello/.venv/lib/python3.11/site-packages")
                .link("/srv/apps/hello/.venv/bin/python", PYENV + "/bin/python3.11")
                .file("/srv/apps/hello/.venv/pyvenv.cfg", "home = " + PYENV + "/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n", false);
        loader.answer(PYENV + "/bin/python3.11", FakeLoader.libcOnly());

        WhitelistPlanner.WhitelistPlan wp = plan(policy(".venv/bin/python", "-m", "app"));

        assertEquals("/app/.venv/bin/python", wp.fsPlan().executable());
        assertEquals(List.of(PYENV), wp.command().binds());
        assertEquals(CommandResolution.Status.EXECUTABLE, wp.command().status());
    }

    @Test
    void venvOutsideTheAppRootIsBoundWithItsBaseUnderUsr() {
        usrPython();
        host.file("/usr/lib/python3.11/os.py", "", false);
        host.link("/srv/venvs/hello/bin/python", "/usr/bin/python3")
                .file("/srv/venvs/hello/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n", false);

        WhitelistPlanner.WhitelistPlan wp = plan(policy("/srv/venvs/hello/bin/python"));

        assertEquals(List.of("/srv/venvs/hello"), wp.command().binds());
        assertEquals("/srv/venvs/hello/bin/python", wp.fsPlan().executable());
    }

    @Test
    void envNodeScriptInTheAppRoot() {
        host.elf("/usr/bin/node", FakeHost.LOADER);
        host.file("/srv/apps/hello/server.js", "#!/usr/bin/env node\nconsole.log('hi')\n", true);
        loader.answer("/usr/bin/env", FakeLoader.libcOnly()).answer("/usr/bin/node", FakeLoader.libcOnly());

        WhitelistPlanner.WhitelistPlan wp = plan(policy("./server.js"));

        assertEquals("/app/server.js", wp.fsPlan().executable());
        assertEquals(List.of("/usr/bin/env", "/usr/bin/node"), wp.command().interpreters());
        assertEquals(List.of(), wp.command().binds());
        assertEquals(CommandResolution.Status.EXECUTABLE, wp.command().status());
    }

    @Test
    void relativeScriptRunsThroughBinSh() {
        host.file("/srv/apps/hello/run.sh", "#!/bin/sh -e\nexec python3 app.py\n", true);
        loader.answer("/usr/bin/dash", FakeLoader.libcOnly());

        WhitelistPlanner.WhitelistPlan wp = plan(policy("./run.sh"));

        assertEquals("/app/run.sh", wp.fsPlan().executable());
        assertEquals(List.of("/bin/sh"), wp.command().interpreters());
        assertEquals(List.of(), wp.command().binds());
    }

    @Test
    void staticBinaryOutsideTheRuntimeNeedsOnlyItself() {
        host.elf("/opt/tools/bin/hello-static", null);

        WhitelistPlanner.WhitelistPlan wp = plan(policy("/opt/tools/bin/hello-static"));

        assertEquals(List.of("/opt/tools/bin/hello-static"), wp.command().binds());
        assertEquals(List.of(), loader.listed, "a static binary is recognised from its headers");
        assertTrue(wp.fsPlan().landlock().contains(new LandlockRule(Access.RO, "/opt/tools/bin/hello-static")));
    }

    @Test
    void dynamicBinaryOutsideTheRuntimeGetsItsLibraryDirectories() {
        host.elf("/opt/tools/bin/tool", FakeHost.LOADER).file("/opt/vendor/lib/libvendor.so.1", "", false);
        loader.answer("/opt/tools/bin/tool", """
                \tlinux-vdso.so.1 (0x00007ffd3b1f2000)
                \tlibvendor.so.1 => /opt/vendor/lib/libvendor.so.1 (0x00007f0000001000)
                \tlibmissing.so.2 => not found
                \tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f71ad2ba000)
                \t/lib64/ld-linux-x86-64.so.2 (0x00007f71ad5d9000)
                """);

        WhitelistPlanner.WhitelistPlan wp = plan(policy("/opt/tools/bin/tool"));

        assertEquals(List.of("/opt/tools/bin/tool", "/opt/vendor/lib"), wp.command().binds());
        assertEquals(List.of("/opt/tools/bin/tool needs libmissing.so.2, which the host's loader cannot find"),
                wp.command().warnings());
    }

    @Test
    void commandNotFoundNamesTheSearchedPath() {
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(policy("foo")));
        assertEquals("command not found: \"foo\" (searched /usr/local/bin:/usr/bin:/bin inside the sandbox)", e.getMessage());
        assertEquals(127, e.exitCode());
        assertEquals("foo", e.command());
    }

    @Test
    void pathDirsOutsideTheWhitelistAreNotSearched() {
        host.dir("/root/.pyenv/shims").file("/root/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv\n", true);
        Policy p = Policies.withPath(policy("python3"), "/root/.pyenv/shims:/usr/bin");
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(p));
        assertEquals("command not found: \"python3\" (searched /usr/bin inside the sandbox; "
                + "not visible inside: /root/.pyenv/shims)", e.getMessage());
    }

    @Test
    void missingPathCommandSaysWhereItLooked() {
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(policy("./run.sh")));
        assertEquals("command not found: \"./run.sh\" (/app/run.sh does not exist inside the sandbox)", e.getMessage());
    }

    @Test
    void missingInterpreterIsNotFound() {
        host.file("/srv/apps/hello/run.py", "#!/usr/bin/python9\n", true);
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(policy("./run.py")));
        assertEquals("command not found: \"/usr/bin/python9\", the interpreter of /app/run.py "
                + "(/usr/bin/python9 does not exist inside the sandbox)", e.getMessage());
    }

    /** An app file's #! line must not make a host program visible: the bind would pass /root's 0700. */
    @Test
    void anAppScriptCannotNameAnInvisibleHostProgram() {
        host.file("/root/ops/deploy.sh", "#!/bin/sh\necho secret\n", true);
        host.file("/srv/apps/hello/run.sh", "#!/root/ops/deploy.sh\n", true);
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(policy("./run.sh")));
        assertEquals("command not found: \"/root/ops/deploy.sh\", the interpreter of /app/run.sh (/root/ops/deploy.sh"
                + " is not visible, and an app's #! line may not add host files to what is visible (name the interpreter"
                + " as the command, or add it to ro-binds) inside the sandbox)", e.getMessage());
    }

    @Test
    void pyenvShimGetsAHint() {
        host.file("/root/.pyenv/shims/python3", "#!/usr/bin/env bash\nexec pyenv exec python3\n", true);
        SetupException e = assertThrows(SetupException.class, () -> plan(policy("/root/.pyenv/shims/python3")));
        assertEquals("cannot run \"/root/.pyenv/shims/python3\": it is a pyenv shim, which needs pyenv and its whole "
                + "home, and neither is visible inside the sandbox\n"
                + "Hint: name the interpreter itself, e.g. \"$(pyenv which python3)\"", e.getMessage());
        assertEquals(126, e.exitCode());
    }

    @Test
    void hostFilesThatAreNotProgramsAreNotExposed() {
        CommandNotFoundException e = assertThrows(CommandNotFoundException.class, () -> plan(policy("/etc/shadow")));
        assertEquals("command not found: \"/etc/shadow\" (/etc/shadow is not visible; only the runtime, the app root "
                + "and roBinds are inside the sandbox)", e.getMessage());
    }

    @Test
    void foundButNotExecutableIsLetThroughAndFlagged() {
        host.file("/srv/apps/hello/run.sh", "#!/bin/sh\n", false);
        WhitelistPlanner.WhitelistPlan wp = plan(policy("./run.sh"));
        assertEquals(CommandResolution.Status.NOT_EXECUTABLE, wp.command().status());
        assertEquals("/app/run.sh has no execute permission", wp.command().problem());
        assertEquals("/app/run.sh", wp.fsPlan().executable());

        host.dir("/srv/apps/hello/static");
        WhitelistPlanner.WhitelistPlan dir = plan(policy("./static"));
        assertEquals("/app/static is a directory", dir.command().problem());
    }

    @Test
    void aCommandInTheWritableSpaceCannotRunAndSaysWhy() {
        SetupException e = assertThrows(SetupException.class, () -> plan(policy("/tmp/tool")));
        assertEquals("cannot run \"/tmp/tool\": it is in the app's writable space (/tmp), which is mounted noexec:"
                + " nothing there can be executed\nHint: keep programs under the app root (/app), or run a script"
                + " through its interpreter (e.g. sh /tmp/tool)", e.getMessage());
        assertEquals(126, e.exitCode());
        assertEquals("cannot run \"/dev/shm/x\": it is in the instance's shared memory (/dev/shm), which is mounted"
                + " noexec: nothing there can be executed\nHint: keep programs under the app root (/app), or run a script"
                + " through its interpreter (e.g. sh /dev/shm/x)",
                assertThrows(SetupException.class, () -> plan(policy("/dev/shm/x"))).getMessage());
        host.file("/srv/apps/hello/run.sh", "#!" + INSIDE_TMP + "/bin/python3\n", true);
        SetupException i = assertThrows(SetupException.class, () -> plan(policy("./run.sh")));
        assertEquals("cannot run \"" + INSIDE_TMP + "/bin/python3\", the interpreter of /app/run.sh: it is in the app's"
                + " writable space (/saetmp), which is mounted noexec: nothing there can be executed\nHint: keep programs"
                + " under the app root (/app), or run a script through its interpreter (e.g. sh " + INSIDE_TMP
                + "/bin/python3)", i.getMessage());
    }

    @Test
    void anAppRootTheAppCannotEnterIsRefusedBeforeTheLaunch() throws Exception {
        host.file("/srv/apps/hello/run.sh", "#!/bin/sh\n", true);
        Path dir = host.fs().hostPath(APP_ROOT.toString());
        java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-x---"));
        SetupException e = assertThrows(SetupException.class, () -> plan(policy("./run.sh")));
        assertEquals(125, e.exitCode());
        assertEquals("cannot set up sandbox for app \"hello\": app-root: " + io.sandboxrun.core.policy.AppRootAccess.problem(
                io.sandboxrun.core.policy.AppRootAccess.read(dir), Policies.of("hello", APP_ROOT, List.of("x")).user()),
                e.getMessage());
        assertTrue(e.getMessage().contains("(mode 0750, owner "), e.getMessage());
    }

    @Test
    void pathSearchSkipsNonExecutablesLikeExecvp() {
        host.file("/usr/local/bin/tool", "#!/bin/sh\n", false).file("/usr/bin/tool", "#!/bin/sh\n", true);
        loader.answer("/usr/bin/dash", FakeLoader.libcOnly());
        assertEquals("/usr/bin/tool", plan(policy("tool")).fsPlan().executable());
    }

    @Test
    void scriptNestingIsLimited() {
        for (int i = 0; i < 6; i++) host.file("/srv/apps/hello/s" + i, "#!/app/s" + (i + 1) + "\n", true);
        host.file("/srv/apps/hello/s6", "#!/bin/sh\n", true);
        SetupException e = assertThrows(SetupException.class, () -> plan(policy("./s0")));
        assertEquals("cannot run \"./s0\": more than 4 nested #! interpreters (last: /app/s5)", e.getMessage());
    }

    @Test
    void roBindsAreBoundAndSearched() {
        host.elf("/opt/node/bin/node", FakeHost.LOADER).dir("/opt/node/lib");
        loader.answer("/opt/node/bin/node", FakeLoader.libcOnly());
        Policy p = Policies.withPath(Policies.of("hello", APP_ROOT, List.of("node"), List.of(Path.of("/opt/node")), Map.of(),
                Path.of("/var/lib/sandbox-run")), "/opt/node/bin:/usr/bin");
        WhitelistPlanner.WhitelistPlan wp = plan(p);
        assertEquals("/opt/node/bin/node", wp.fsPlan().executable());
        assertEquals(List.of(), wp.command().binds());
        assertTrue(wp.fsPlan().mounts().contains(new BindRo("/opt/node", "/opt/node")));
    }

    @Test
    void missingRoBindIsAnError() {
        usrPython();
        Policy p = Policies.of("hello", APP_ROOT, List.of("python3"), List.of(Path.of("/opt/nothing")), Map.of(),
                Path.of("/var/lib/sandbox-run"));
        SetupException e = assertThrows(SetupException.class, () -> plan(p));
        assertEquals("roBinds: \"/opt/nothing\" does not exist on the host", e.getMessage());
        assertEquals(125, e.exitCode());
    }

    @Test
    void ttyAddsDevpts() {
        usrPython();
        FsPlan plan = plan(policy("python3"), true).fsPlan();
        assertTrue(plan.mounts().contains(new MountOp.Devpts("/dev/pts")));
        assertTrue(plan.landlock().contains(new LandlockRule(Access.DEV, "/dev/pts")));
        int devpts = plan.mounts().indexOf(new MountOp.Devpts("/dev/pts"));
        assertTrue(devpts < plan.mounts().indexOf(new MountOp.RemountRo("/dev")));
    }

    @Test
    void devShmIsTheInstancesOwnCappedTmpfsAndTheOnlyWritableOneInDev() {
        usrPython();
        FsPlan plan = plan(policy("python3").with("shm-size", 16L << 20), true).fsPlan();
        MountOp shm = new MountOp.Tmpfs("/dev/shm", 16 << 20, 01777);
        assertTrue(plan.mounts().contains(shm), plan.mounts().toString());
        // on the /dev tmpfs, and before /dev is made read-only (which leaves its submounts alone)
        assertTrue(plan.mounts().indexOf(new MountOp.Tmpfs("/dev", 65536, 0755)) < plan.mounts().indexOf(shm));
        assertTrue(plan.mounts().indexOf(shm) < plan.mounts().indexOf(new MountOp.RemountRo("/dev")));
        assertFalse(plan.mounts().contains(new MountOp.RemountRo("/dev/shm")));

        assertTrue(plan.landlock().contains(new LandlockRule(Access.RW, "/dev/shm")));
        assertTrue(plan.landlock().stream().noneMatch(r -> r.path().equals("/dev")), plan.landlock().toString());
        List<String> writable = plan.landlock().stream().filter(r -> r.access() == Access.RW).map(LandlockRule::path).toList();
        assertEquals(List.of(INSIDE_TMP, "/tmp", "/dev/shm"), writable);
    }

    @Test
    void aTmpfsRemountedReadOnlyGetsNoWritableRule() {
        List<LandlockRule> rules = WhitelistPlanner.landlockRules(List.of(new MountOp.Tmpfs("/dev", 65536, 0755),
                new MountOp.Tmpfs("/dev/shm", 1 << 20, 01777), new MountOp.Tmpfs("/run", 1 << 20, 0755),
                new MountOp.RemountRo("/run"), new MountOp.RemountRo("/dev")));
        assertEquals(List.of(new LandlockRule(Access.RW, "/dev/shm")), rules);
    }

    @Test
    void realLibDirectoriesAreBoundInsteadOfLinked() {
        java.util.Map<String, HostLayout.Entry> m = new java.util.HashMap<>(HostLayout.debian12().entries());
        m.put("/lib64", HostLayout.Entry.dir("/lib64"));
        m.remove("/sbin");
        List<MountOp> ops = WhitelistPlanner.runtimeOps(new HostLayout(m));
        assertEquals(List.of(new BindRo("/usr", "/usr"), new Symlink("usr/bin", "/bin"), new Symlink("usr/lib", "/lib"),
                new BindRo("/lib64", "/lib64"), new BindRo("/etc/ld.so.cache", "/etc/ld.so.cache")), ops);
    }

    @Test
    void extraBindsAreSortedAndNestedOnesDropped() {
        CommandResolution cmd = new CommandResolution("tool", "/opt/a/bin/tool", "/opt/a/bin/tool",
                CommandResolution.Status.EXECUTABLE, null,
                List.of("/opt/a/bin/tool", "/lib/x86_64-linux-gnu", "/opt/a", "/opt/a-b/lib", "/opt/a/lib"),
                List.of(), List.of());
        Policy p = Policies.of("hello", APP_ROOT, List.of("tool"),
                List.of(Path.of("/usr/local/share/data"), Path.of("/srv/data/"), Path.of("/srv/data/sub")), Map.of(),
                Path.of("/var/lib/sandbox-run"));

        FsPlan plan = WhitelistPlanner.assemble(p, HostLayout.debian12(), cmd, HOST_TMP, INSIDE_TMP, false);

        List<MountOp> extra = plan.mounts().subList(6, 9);
        assertEquals(List.of(new BindRo("/opt/a", "/opt/a"), new BindRo("/opt/a-b/lib", "/opt/a-b/lib"),
                new BindRo("/srv/data", "/srv/data")), extra);
        assertEquals(new MountOp.File("/etc/passwd", 0644, EtcFiles.passwd(p.user(), INSIDE_TMP)), plan.mounts().get(9));
        assertEquals("/opt/a/bin/tool", plan.executable());
    }

    @Test
    void forbiddenRoBindsAreRejected() {
        CommandResolution cmd = new CommandResolution("python3", "/usr/bin/python3", "/usr/bin/python3",
                CommandResolution.Status.EXECUTABLE, null, List.of(), List.of(), List.of());
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("/", "roBinds: \"/\" would expose the whole host; name the directories the app needs");
        cases.put("/etc", "roBinds: \"/etc\" would expose the host's /etc; the sandbox generates its own (name single files below /etc)");
        cases.put("/etc/ssl/private", "roBinds: \"/etc/ssl/private\" is generated by the sandbox or secret");
        cases.put("/proc/1", "roBinds: \"/proc/1\" is where the sandbox mounts /proc");
        cases.put("/var/lib", "roBinds: \"/var/lib\" holds the runtime's state (/var/lib/sandbox-run)");
        cases.put("/run/secrets", "roBinds: \"/run/secrets\" is host state under /run");
        cases.forEach((bind, msg) -> {
            Policy p = Policies.of("hello", APP_ROOT, List.of("python3"), List.of(Path.of(bind)), Map.of(),
                    Path.of("/var/lib/sandbox-run"));
            SetupException e = assertThrows(SetupException.class,
                    () -> WhitelistPlanner.assemble(p, HostLayout.debian12(), cmd, HOST_TMP, INSIDE_TMP, false));
            assertEquals(msg, e.getMessage());
            assertEquals(125, e.exitCode());
        });
    }

    @Test
    void etcEntriesFollowTheHost() {
        assertEquals(new Symlink("/usr/share/zoneinfo/Europe/Berlin", "/etc/localtime"),
                EtcFiles.shared("/etc/localtime", HostLayout.Entry.link("/usr/share/zoneinfo/Europe/Berlin", "/usr/share/zoneinfo/Europe/Berlin")));
        assertEquals(new BindRo("/etc/localtime", "/etc/localtime"),
                EtcFiles.shared("/etc/localtime", HostLayout.Entry.link("/opt/tz/Berlin", "/opt/tz/Berlin")));
        assertEquals(null, EtcFiles.shared("/etc/localtime", HostLayout.Entry.link("/gone", null)));
        assertEquals(null, EtcFiles.shared("/etc/timezone", HostLayout.Entry.MISSING));
    }

    @Test
    void hostLayoutIsReadFromTheTree() {
        HostLayout l = HostLayout.read(host.fs());
        assertEquals(HostLayout.Entry.link("usr/lib64", "/usr/lib64"), l.get("/lib64"));
        assertEquals(HostLayout.Entry.file("/etc/ld.so.cache"), l.get("/etc/ld.so.cache"));
        assertEquals(HostLayout.Entry.dir("/etc/ssl/certs"), l.get("/etc/ssl/certs"));
        assertEquals(HostLayout.Entry.MISSING, l.get("/etc/timezone"));
    }
}
