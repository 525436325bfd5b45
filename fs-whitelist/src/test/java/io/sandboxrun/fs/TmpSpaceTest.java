package io.sandboxrun.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.policy.Policy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TmpSpaceTest {
    @TempDir Path state;
    FakeMounts mounts;
    TmpSpace space;
    long base;
    int uid;
    int gid;

    @BeforeEach
    void setUp() throws IOException {
        mounts = new FakeMounts(state.resolve("mounttable"));
        space = new TmpSpace(mounts, mounts::mountinfo);
        // the ids tmp/ is chowned to must be ours unless we are root
        int myUid = (Integer) Files.getAttribute(state, "unix:uid");
        int myGid = (Integer) Files.getAttribute(state, "unix:gid");
        uid = 1000;
        base = myUid == 0 ? 100000 : myUid - uid;
        gid = myUid == 0 ? 1000 : (int) (myGid - base);
    }

    private Policy policy(String app) {
        Policy p = Policies.of(app, Path.of("/srv/apps/" + app), List.of("python3"), List.of(), Map.of(), state);
        return Policies.withUser(p, new Policy.Identity(uid, gid, (long) base, 65536));
    }

    private Path dir(String app) {
        return state.resolve("saetmp").resolve(TmpSpace.hash(app)).resolve(app);
    }

    @Test
    void hashIsTheFirstEightHexDigitsOfSha256() {
        assertEquals("2cf24dba", TmpSpace.hash("hello"));
        assertEquals("4c9a75cc", TmpSpace.hash("my-app"));
        assertEquals("/saetmp/2cf24dba/hello", TmpSpace.insidePath("hello"));
        assertEquals(Path.of("/var/lib/sr/saetmp/2cf24dba/hello"), TmpSpace.hostPath(Path.of("/var/lib/sr"), "hello"));
    }

    @Test
    void mountOptionsCapSizeAndInodesAndOwnTheApp() {
        assertEquals("size=67108864,nr_inodes=65536,mode=0700,uid=" + (base + uid) + ",gid=" + (base + gid),
                TmpSpace.options(policy("hello")));
        assertEquals(2 | 4 | 8, TmpSpace.FLAGS);
    }

    @Test
    void firstLeaseMountsLastUnmounts() throws IOException {
        Policy p = policy("hello");
        TmpSpace.Lease a = space.acquire(p);
        TmpSpace.Lease b = space.acquire(p);
        assertEquals(List.of("mount " + dir("hello") + " " + TmpSpace.options(p) + " flags=14"), mounts.calls);
        assertEquals(2, space.leases(dir("hello")));
        assertEquals(dir("hello"), a.hostDir());
        assertEquals(dir("hello").resolve("tmp"), a.hostTmpDir());
        assertEquals("/saetmp/2cf24dba/hello", a.home());
        assertTrue(space.isMounted(dir("hello")));

        Path tmp = dir("hello").resolve("tmp");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)));
        assertEquals((int) (base + uid), Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        assertEquals((int) (base + gid), Files.getAttribute(tmp, "unix:gid", LinkOption.NOFOLLOW_LINKS));

        a.close();
        a.close();  // idempotent: must not release b's share
        assertEquals(1, mounts.calls.size());
        assertEquals(1, space.leases(dir("hello")));

        b.close();
        assertEquals("unmount " + dir("hello"), mounts.calls.get(1));
        assertFalse(space.isMounted(dir("hello")));
        assertFalse(Files.exists(dir("hello")));
        assertFalse(Files.exists(dir("hello").resolveSibling("hello.lock")));
        assertFalse(Files.exists(dir("hello").resolveSibling("hello.mount.lock")));
        assertFalse(Files.exists(dir("hello").getParent()), "the empty <hash> directory is removed too");

        // and again from scratch
        try (TmpSpace.Lease c = space.acquire(p)) {
            assertTrue(space.isMounted(c.hostDir()));
        }
        assertEquals(4, mounts.calls.size());
    }

    @Test
    void appsAreIndependent() {
        TmpSpace.Lease a = space.acquire(policy("hello"));
        TmpSpace.Lease b = space.acquire(policy("other"));
        assertEquals(2, mounts.calls.size());
        a.close();
        assertTrue(space.isMounted(dir("other")));
        b.close();
        assertEquals(List.of(), mounts.lines());
    }

    @Test
    void anExistingMountIsReusedNotMountedAgain() throws IOException {
        // left by a launcher that crashed: mounted, nobody holds it
        Files.createDirectories(dir("hello"));
        mounts.mountTmpfs(dir("hello"), "size=1", 0);
        mounts.calls.clear();
        try (TmpSpace.Lease l = space.acquire(policy("hello"))) {
            assertEquals(List.of(), mounts.calls);
            assertTrue(Files.isDirectory(l.hostTmpDir()));
        }
        assertEquals(List.of("unmount " + dir("hello")), mounts.calls);
    }

    @Test
    void failedMountLeavesNothingHeld() {
        mounts.failMount = new IllegalStateException("mount(tmpfs, ...): EPERM (Operation not permitted)");
        SetupException e = assertThrows(SetupException.class, () -> space.acquire(policy("hello")));
        assertEquals("cannot set up the writable space " + dir("hello") + " of app \"hello\": "
                + "mount(tmpfs, ...): EPERM (Operation not permitted)", e.getMessage());
        assertEquals(125, e.exitCode());
        assertEquals(FsSteps.TMP_SPACE, e.step());
        assertEquals(0, space.leases(dir("hello")));
        mounts.failMount = null;
        try (TmpSpace.Lease l = space.acquire(policy("hello"))) {
            assertEquals(1, space.leases(l.hostDir()));
        }
    }

    @Test
    void anotherProcessKeepsTheSpaceMounted() throws Exception {
        Policy p = policy("hello");
        TmpSpace.Lease mine = space.acquire(p);
        Holder other = Holder.start(state, "hello", state.resolve("mounttable"), base, uid, gid);
        assertEquals("acquired calls=0", other.readLine(), "the other process finds it mounted");

        mine.close();
        assertEquals(1, mounts.calls.size(), "still in use by the other process: " + mounts.calls);
        assertTrue(space.isMounted(dir("hello")));
        assertTrue(Files.isDirectory(dir("hello")));

        assertEquals("released calls=[unmount " + dir("hello") + "]", other.release());
        assertFalse(space.isMounted(dir("hello")));
        assertFalse(Files.exists(dir("hello")));
        assertFalse(Files.exists(dir("hello").resolveSibling("hello.mount.lock")));
    }

    @Test
    void theLastProcessUnmountsWhoeverMounted() throws Exception {
        Holder other = Holder.start(state, "hello", state.resolve("mounttable"), base, uid, gid);
        assertEquals("acquired calls=1", other.readLine());
        TmpSpace.Lease mine = space.acquire(policy("hello"));
        assertEquals(List.of(), mounts.calls);

        assertEquals("released calls=[mount " + dir("hello") + " " + TmpSpace.options(policy("hello")) + " flags=14]",
                other.release());
        assertTrue(space.isMounted(dir("hello")));

        mine.close();
        assertEquals(List.of("unmount " + dir("hello")), mounts.calls);
        assertEquals(List.of(), mounts.lines());
    }

    /** A second JVM holding a lease (POSIX locks are per process, so this cannot be a thread). */
    private static final class Holder {
        private final Process process;
        private final BufferedReader out;

        private Holder(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        static Holder start(Path state, String app, Path table, long base, int uid, int gid) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    TmpSpaceHolder.class.getName(), state.toString(), app, table.toString(), Long.toString(base),
                    Integer.toString(uid), Integer.toString(gid)));
            return new Holder(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        String readLine() throws IOException {
            String l = out.readLine();
            if (l == null) throw new IOException("holder exited: " + process.onExit().join().exitValue());
            return l;
        }

        String release() throws Exception {
            try (Writer w = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                w.write("go\n");
            }
            String l = readLine();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue());
            return l;
        }
    }
}
