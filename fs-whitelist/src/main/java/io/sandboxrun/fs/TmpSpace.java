package io.sandboxrun.fs;

import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.launch.SetupException;
import io.sandboxrun.core.linux.Mount;
import io.sandboxrun.core.policy.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The per-app writable space on the host: {@code <stateDir>/saetmp/<hash>/<app>}, a size-capped
 * tmpfs shared by all instances of the app (in this JVM and in others), seen inside as
 * {@code /saetmp/<hash>/<app>} (the app's HOME) with its {@code tmp/} at {@code /tmp}.
 *
 * <p>Mount options: {@code size=<tmpSize>,nr_inodes=<tmpSize/1024, 1024..1M>,mode=0700,
 * uid=<hostIdBase+uid>,gid=<hostIdBase+gid>}, flags nosuid, nodev and <b>noexec</b>: the app may
 * write data there but never run what it wrote (SAE's rule); the binds into the sandbox inherit
 * the locked noexec. {@code nr_inodes} caps empty files, which {@code size} does not count.
 *
 * <p>Sharing across processes: while a JVM holds leases for an app it holds a shared
 * {@code fcntl} lock on {@code <app>.lock} (one per JVM: POSIX locks belong to the process, so
 * instances within a JVM are counted in memory). Mounting and unmounting happen under an exclusive
 * lock on {@code <app>.mount.lock}; the last releaser drops its shared lock, and only if an
 * exclusive try-lock on {@code <app>.lock} then succeeds (no other process uses the space) unmounts
 * (MNT_DETACH) and removes the mount point and both lock files. A removed lock file is first
 * marked (one byte written under the lock) so a process that opened it before the removal sees
 * the mark once it gets the lock, and opens the path again.
 */
public final class TmpSpace {
    /** Inside the sandbox every app's space is below this directory. */
    public static final String INSIDE_ROOT = "/saetmp";
    /** The space's subdirectory bound at /tmp. */
    public static final String TMP_SUBDIR = "tmp";
    /** Mount flags of the space: nosuid, nodev, noexec. */
    public static final long FLAGS = Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC;
    static final String STATE_SUBDIR = "saetmp";
    private static final long MIN_INODES = 1024, MAX_INODES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(TmpSpace.class.getName());

    private final MountSyscalls sys;
    private final Supplier<String> mountinfo;
    private final ConcurrentHashMap<Path, AppState> states = new ConcurrentHashMap<>();

    /** Uses the real mount calls' results as /proc/self/mountinfo shows them. */
    public TmpSpace(MountSyscalls sys) {
        this(sys, TmpSpace::readMountinfo);
    }

    /** @param mountinfo supplies the text of /proc/self/mountinfo (tests give the fake's table) */
    public TmpSpace(MountSyscalls sys, Supplier<String> mountinfo) {
        this.sys = sys;
        this.mountinfo = mountinfo;
    }

    /** First 8 hex digits of SHA-256 of the app name (UTF-8): spreads apps over directories, stable forever. */
    public static String hash(String app) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(app.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    /** {@code /saetmp/<hash>/<app>}: the space inside the sandbox, and the app's HOME. */
    public static String insidePath(String app) {
        return INSIDE_ROOT + "/" + hash(app) + "/" + app;
    }

    /** {@code <stateDir>/saetmp/<hash>/<app>}: the mount point on the host. */
    public static Path hostPath(Path stateDir, String app) {
        return stateDir.resolve(STATE_SUBDIR).resolve(hash(app)).resolve(app);
    }

    /** The tmpfs data options for the policy's size and identity. */
    public static String options(Policy policy) {
        Policy.Identity u = policy.user();
        long inodes = Math.max(MIN_INODES, Math.min(MAX_INODES, policy.tmpSize() / 1024));
        return "size=" + policy.tmpSize() + ",nr_inodes=" + inodes + ",mode=0700,uid=" + u.hostUid()
                + ",gid=" + u.hostGid();
    }

    /**
     * Takes a share of the app's space, mounting it when no process has it.
     *
     * @throws SetupException (125, step {@link FsSteps#TMP_SPACE}) when a lock, a directory or the mount fails
     */
    public Lease acquire(Policy policy) {
        Path dir = hostPath(policy.stateDir(), policy.app()).toAbsolutePath().normalize();
        AppState st = states.computeIfAbsent(dir, AppState::new);
        synchronized (st) {
            if (st.refs > 0) {
                st.refs++;
                return new Lease(st, policy.app());
            }
            FileChannel mountLock = null;
            FileChannel use = null;
            boolean mountedHere = false;
            try {
                mountLock = lockMount(st);
                use = FileChannel.open(st.useLock, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                // no one can hold it exclusively now: that takes the mount lock, which is ours
                FileLock shared = use.lock(0, Long.MAX_VALUE, true);
                if (!isMounted(dir)) {
                    createDir(dir, "rwx------");
                    LOG.log(Level.DEBUG, "mount tmpfs path={0} options={1}", dir, options(policy));
                    sys.mountTmpfs(dir, options(policy), FLAGS);
                    mountedHere = true;
                }
                prepare(dir, policy);
                st.use = use;
                st.shared = shared;
                st.refs = 1;
                return new Lease(st, policy.app());
            } catch (IOException | RuntimeException e) {
                SetupException err = e instanceof SetupException s ? s : new SetupException(FsSteps.TMP_SPACE,
                        "cannot set up the writable space " + dir + " of app \"" + policy.app() + "\": " + e.getMessage(), e);
                // still under the mount lock: nobody can have started to use what we mounted
                if (mountedHere) {
                    try {
                        sys.unmount(dir);
                    } catch (RuntimeException u) {
                        err.addSuppressed(u);
                    }
                }
                closeQuietly(use);
                throw err;
            } finally {
                closeQuietly(mountLock);
            }
        }
    }

    /** True when {@code target} is a mount point of this process's mount namespace. */
    public boolean isMounted(Path target) {
        return isMounted(mountinfo.get(), canonical(target));
    }

    /** True when {@code target} (absolute, canonical) is a mount point in the given mountinfo text. */
    public static boolean isMounted(String mountinfoText, Path target) {
        String t = target.toString();
        for (MountInfo m : MountInfo.parse(mountinfoText)) if (m.mountPoint().equals(t)) return true;
        return false;
    }

    /**
     * Unmounts the spaces below {@code stateDir} that no process holds any more (a launcher that was
     * SIGKILLed leaves its mounts): the last releaser's path of {@link Lease#close}, for each app
     * this JVM has no lease on. A space some process still uses is left alone (its shared lock
     * makes the exclusive try-lock fail).
     *
     * @param failures gets one line per space that could not be released
     * @return the spaces unmounted
     */
    public List<Path> reclaimUnused(Path stateDir, Consumer<String> failures) {
        Path base = canonical(stateDir.toAbsolutePath().normalize().resolve(STATE_SUBDIR));
        List<Path> done = new ArrayList<>();
        for (MountInfo m : MountInfo.parse(mountinfo.get())) {
            Path dir = Path.of(m.mountPoint());
            if (!dir.startsWith(base) || base.relativize(dir).getNameCount() != 2) continue;
            AppState st = states.computeIfAbsent(dir, AppState::new);
            synchronized (st) {
                if (st.refs > 0) continue;
                try {
                    // The lock file goes with the last release; a launcher killed before it keeps it.
                    if (!Files.exists(st.useLock)) Files.createFile(st.useLock);
                    release(st);
                    if (!isMounted(dir)) done.add(dir);
                } catch (IOException | RuntimeException e) {
                    failures.accept(dir + ": " + e.getMessage());
                }
            }
        }
        return done;
    }

    /** How many leases this JVM holds on the space at {@code hostDir} (for tests and diagnostics). */
    public int leases(Path hostDir) {
        AppState st = states.get(hostDir.toAbsolutePath().normalize());
        if (st == null) return 0;
        synchronized (st) {
            return st.refs;
        }
    }

    /** One instance's share of the space; {@link #close} gives it back (once). */
    public final class Lease implements AutoCloseable {
        private final AppState st;
        private final String app;
        private boolean closed;

        private Lease(AppState st, String app) {
            this.st = st;
            this.app = app;
        }

        /** The space on the host (the bind source for {@link #insidePath()}). */
        public Path hostDir() { return st.dir; }

        /** Its {@code tmp/} on the host, bound at /tmp. */
        public Path hostTmpDir() { return st.dir.resolve(TMP_SUBDIR); }

        /** The space inside the sandbox. */
        public String insidePath() { return TmpSpace.insidePath(app); }

        /** HOME inside: the space itself. */
        public String home() { return insidePath(); }

        /**
         * Gives the share back; the last one in any process unmounts the space.
         *
         * @throws SetupException (125) when the unmount fails; the lease is released regardless
         */
        @Override
        public void close() {
            synchronized (st) {
                if (closed) return;
                closed = true;
                if (--st.refs > 0) return;
                release(st);
            }
        }
    }

    private void release(AppState st) {
        try (FileChannel mountLock = lockMount(st)) {
            closeQuietly(st.use);  // closing the channel drops this process's shared lock
            st.use = null;
            st.shared = null;
            boolean last;
            try (FileChannel use = FileChannel.open(st.useLock, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock ex = use.tryLock(0, Long.MAX_VALUE, false);
                last = ex != null;
                if (last) {
                    if (isMounted(st.dir)) {
                        LOG.log(Level.DEBUG, "unmount tmpfs path={0}", st.dir);
                        sys.unmount(st.dir);
                    }
                    try {
                        Files.deleteIfExists(st.dir);
                    } catch (DirectoryNotEmptyException e) {
                        // unmount detached it but something still shows through: keep the files
                        LOG.log(Level.WARNING, "keep mount point, not empty after unmount path={0}", st.dir);
                    }
                    Files.deleteIfExists(st.useLock);
                }
            }
            if (last) {
                retire(mountLock, st.mountLock);
                removeIfEmpty(st.dir.getParent());
            }
        } catch (IOException | RuntimeException e) {
            throw e instanceof SetupException s ? s : new SetupException(FsSteps.TMP_SPACE,
                    "cannot release the writable space " + st.dir + ": " + e.getMessage(), e);
        }
    }

    /** Opens and exclusively locks {@code <app>.mount.lock}, skipping files retired meanwhile. */
    private static FileChannel lockMount(AppState st) throws IOException {
        for (;;) {
            createDir(st.dir.getParent().getParent(), "rwx--x--x");
            createDir(st.dir.getParent(), "rwx--x--x");
            FileChannel ch;
            try {
                ch = FileChannel.open(st.mountLock, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (java.nio.file.NoSuchFileException removed) {
                continue;   // the last user of another app with this hash removed the directory: make it again
            }
            try {
                ch.lock();
                if (ch.size() == 0) return ch;
            } catch (IOException | RuntimeException e) {
                closeQuietly(ch);
                throw e;
            }
            ch.close();  // retired by its last user after we opened it: open the path again
        }
    }

    /** Removes the {@code <hash>} directory once no app uses it, so nothing is left behind. */
    private static void removeIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException inUse) {
            // another app with the same hash prefix, or one being set up right now: keep it
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove {0}: {1}", dir, e.getMessage());
        }
    }

    /** Marks a lock file dead, removes it, then unlocks: see the class comment. */
    private static void retire(FileChannel locked, Path path) throws IOException {
        locked.write(ByteBuffer.wrap(new byte[] {'x'}), 0);
        Files.deleteIfExists(path);
    }

    /** Creates {@code tmp/} owned by the app's host ids, mode 0700. */
    private static void prepare(Path dir, Policy policy) throws IOException {
        Path tmp = dir.resolve(TMP_SUBDIR);
        if (!Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) Files.createDirectory(tmp);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Policy.Identity u = policy.user();
        int uid = Math.toIntExact(u.hostUid());
        int gid = Math.toIntExact(u.hostGid());
        if (!Integer.valueOf(uid).equals(Files.getAttribute(tmp, "unix:uid", LinkOption.NOFOLLOW_LINKS))) {
            Files.setAttribute(tmp, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Integer.valueOf(gid).equals(Files.getAttribute(tmp, "unix:gid", LinkOption.NOFOLLOW_LINKS))) {
            Files.setAttribute(tmp, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }

    private static void createDir(Path dir, String perms) throws IOException {
        if (Files.isDirectory(dir)) return;
        Files.createDirectories(dir);
        // explicit: createDirectories applies the umask
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
    }

    private static Path canonical(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static String readMountinfo() {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch == null) return;
        try {
            ch.close();
        } catch (IOException ignore) {
            // cleanup path: the first error is the one reported
        }
    }

    /** One app's space in this JVM: the in-memory count and the shared lock that stands for it. */
    private static final class AppState {
        final Path dir;
        final Path useLock;
        final Path mountLock;
        int refs;
        FileChannel use;
        FileLock shared;

        AppState(Path dir) {
            this.dir = dir;
            this.useLock = dir.resolveSibling(dir.getFileName() + ".lock");
            this.mountLock = dir.resolveSibling(dir.getFileName() + ".mount.lock");
        }
    }
}
