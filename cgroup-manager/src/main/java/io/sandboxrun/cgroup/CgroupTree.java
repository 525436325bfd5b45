package io.sandboxrun.cgroup;

import io.sandboxrun.core.linux.Errno;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The {@code <root>/app-<app>/<instance>} directories in every hierarchy a driver uses: made with
 * rollback, marked, found again, removed. Shared by both drivers; they add what differs (v2
 * enables controllers in the directories it makes).
 */
final class CgroupTree {
    private static final int CREATE_ATTEMPTS = 3;
    private static final long REMOVE_TIMEOUT_MS = 5000;

    private final CgroupFs fs;
    private final Map<Hierarchy, Path> roots;
    private final Hierarchy primary;

    /** {@code primary}: the hierarchy whose directories list the instances (each has them all). */
    CgroupTree(CgroupFs fs, Map<Hierarchy, Path> roots, Hierarchy primary) {
        this.fs = fs;
        this.roots = Collections.unmodifiableMap(new LinkedHashMap<>(roots));
        this.primary = primary;
    }

    Map<Hierarchy, Path> roots() { return roots; }

    CgroupFs fs() { return fs; }

    /**
     * Makes the instance's directory in every hierarchy (and the root and app directories that
     * are missing), marks them, and calls {@code onSharedDir} for each root or app directory, ours
     * by its mark. On failure, removes what it made. Retries when a concurrent launcher removed
     * the app directory between our mkdirs.
     */
    Created create(CgroupPath p, Owner owner, Consumer<Path> onSharedDir) {
        for (int attempt = 1; ; attempt++) {
            List<Path> made = new ArrayList<>();
            try {
                Map<Hierarchy, Path> apps = new LinkedHashMap<>(), instances = new LinkedHashMap<>();
                for (Map.Entry<Hierarchy, Path> e : roots.entrySet()) {
                    Path root = e.getValue();
                    mkdirs(root, made, onSharedDir);
                    Path app = root.resolve(p.appDir());
                    mkdirShared(app, made, onSharedDir);
                    Path inst = app.resolve(p.instance());
                    if (!fs.mkdir(inst)) {
                        throw new CgroupException(inst, Errno.EEXIST, "cgroup " + inst + " already exists: instance "
                                + p + " is running or was left by a launcher that died (run sandbox-run gc)");
                    }
                    made.add(inst);
                    fs.mark(inst, owner.encode());
                    apps.put(e.getKey(), app);
                    instances.put(e.getKey(), inst);
                }
                return new Created(apps, instances);
            } catch (CgroupException e) {
                removeQuietly(made);
                if (e.errno() != Errno.ENOENT || attempt == CREATE_ATTEMPTS) throw e;
            }
        }
    }

    record Created(Map<Hierarchy, Path> appDirs, Map<Hierarchy, Path> instanceDirs) {}

    private void mkdirs(Path dir, List<Path> made, Consumer<Path> onSharedDir) {
        if (fs.exists(dir)) {
            if (fs.marker(dir).filter(Owner.SHARED::equals).isPresent()) onSharedDir.accept(dir);
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) mkdirs(parent, made, onSharedDir);
        mkdirShared(dir, made, onSharedDir);
    }

    private void mkdirShared(Path dir, List<Path> made, Consumer<Path> onSharedDir) {
        if (fs.mkdir(dir)) {
            made.add(dir);
            fs.mark(dir, Owner.SHARED);
            onSharedDir.accept(dir);
        } else if (fs.marker(dir).filter(Owner.SHARED::equals).isPresent()) {
            onSharedDir.accept(dir);
        }
    }

    /**
     * Removes the instance directories (waiting for the last processes to leave), then each app
     * directory that is empty; the root stays for the next launch ({@link #removeEmptyRoots} goes
     * when the runtime closes). Only marked directories.
     *
     * @throws CgroupException when a directory stays busy past the timeout
     */
    void remove(Map<Hierarchy, Path> instanceDirs) {
        CgroupException failure = null;
        for (Path inst : instanceDirs.values()) {
            try {
                if (fs.marker(inst).flatMap(Owner::parse).isPresent() || !fs.exists(inst)) rmdirWaiting(inst);
            } catch (CgroupException e) {
                failure = e;
            }
        }
        for (Path inst : instanceDirs.values()) {
            Path app = inst.getParent();
            // EBUSY/ENOTEMPTY: another instance of the app still runs, and keeps the app's limits.
            if (fs.marker(app).filter(Owner.SHARED::equals).isPresent()) fs.rmdir(app);
        }
        if (failure != null) throw failure;
    }

    /**
     * Removes each root, and the directories above it that this project made (marked shared),
     * while they are empty: a launcher that ends leaves nothing in cgroups it did not create. A
     * root that still holds an app directory stays (rmdir fails); a concurrent create that loses
     * its root on the way retries ({@link #create}).
     */
    void removeEmptyRoots() {
        for (Path root : roots.values()) {
            for (Path dir = root; dir != null && fs.marker(dir).filter(Owner.SHARED::equals).isPresent();
                 dir = dir.getParent()) {
                if (fs.rmdir(dir) != 0) break;
            }
        }
    }

    private void rmdirWaiting(Path dir) {
        long deadline = System.currentTimeMillis() + REMOVE_TIMEOUT_MS;
        long pause = 1;
        while (true) {
            int errno = fs.rmdir(dir);
            if (errno == 0 || errno == Errno.ENOENT) return;
            if (errno != Errno.EBUSY || System.currentTimeMillis() > deadline) {
                throw CgroupException.of("cannot remove cgroup", dir, errno, errno == Errno.EBUSY
                        ? "processes are still in it after " + REMOVE_TIMEOUT_MS + " ms" : null);
            }
            sleep(pause);
            pause = Math.min(pause * 2, 50);
        }
    }

    private void removeQuietly(List<Path> made) {
        for (int i = made.size() - 1; i >= 0; i--) fs.rmdir(made.get(i));
    }

    /** Every instance cgroup under the root that carries an instance mark, with its owner. */
    List<Found> scan() {
        List<Found> found = new ArrayList<>();
        Path root = roots.get(primary);
        for (Path app : fs.children(root)) {
            if (!app.getFileName().toString().startsWith(CgroupPath.APP_PREFIX)) continue;
            if (fs.marker(app).filter(Owner.SHARED::equals).isEmpty()) continue;
            for (Path inst : fs.children(app)) {
                Optional<Owner> owner = fs.marker(inst).flatMap(Owner::parse);
                if (owner.isEmpty()) continue;
                String appName = app.getFileName().toString().substring(CgroupPath.APP_PREFIX.length());
                found.add(new Found(new CgroupPath(appName, inst.getFileName().toString()), owner.get()));
            }
        }
        return found;
    }

    record Found(CgroupPath path, Owner owner) {}

    /** The directories of an instance that already exists, in every hierarchy that has it. */
    Map<Hierarchy, Path> dirsOf(CgroupPath p) {
        Map<Hierarchy, Path> dirs = new LinkedHashMap<>();
        roots.forEach((h, root) -> dirs.put(h, root.resolve(p.appDir()).resolve(p.instance())));
        return dirs;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CgroupException(null, Errno.EINTR, "interrupted while waiting for a cgroup");
        }
    }
}
