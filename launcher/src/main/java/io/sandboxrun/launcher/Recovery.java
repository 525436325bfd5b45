package io.sandboxrun.launcher;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.cgroup.CgroupPath;
import io.sandboxrun.fs.TmpSpace;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Crash recovery: instances whose launcher is gone (its pid dead, or reused by another process)
 * are killed and their cgroups removed; writable spaces no process holds are unmounted; the unix
 * listen sockets of gone launchers that nobody listens on are removed. A launcher
 * runs it before its first instance; {@code sandbox-run gc} runs it on demand. Instances of live
 * launchers are never touched.
 */
public final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    /** What one pass found and did. */
    public record Report(List<CgroupPath> reaped, List<Path> unmounted, List<Path> sockets, List<String> failures) {}

    /** Kills and removes the orphaned instances below {@code driver}'s root. */
    public static Report reap(CgroupDriver driver, Consumer<String> verbose) {
        List<CgroupPath> reaped = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (CgroupDriver.Listed l : driver.list()) {
            if (l.owner().launcherAlive()) continue;
            Optional<CgroupHandle> h = driver.open(l.path());
            if (h.isEmpty()) continue;   // removed meanwhile, e.g. by a concurrent gc
            try (CgroupHandle handle = h.get()) {
                if (handle.events().frozen()) handle.thaw();
                handle.killAll();
                reaped.add(l.path());
                verbose.accept("recovered " + l.path() + ": its launcher pid " + l.owner().pid()
                        + " is gone; killed what was left and removed its cgroup");
            } catch (CgroupException e) {
                failures.add(l.path() + ": " + e.getMessage());
                LOG.log(System.Logger.Level.WARNING, "cannot recover " + l.path() + ": " + e.getMessage());
            }
        }
        return new Report(reaped, List.of(), List.of(), failures);
    }

    /** Unmounts the writable spaces below {@code stateDir} that no process uses any more. */
    public static Report reclaimSpaces(TmpSpace spaces, Path stateDir, Consumer<String> verbose) {
        List<String> failures = new ArrayList<>();
        List<Path> unmounted = spaces.reclaimUnused(stateDir, failures::add);
        unmounted.forEach(p -> verbose.accept("unmounted the unused writable space " + p));
        return new Report(List.of(), unmounted, List.of(), failures);
    }

    /** Removes the unix listen sockets recorded below {@code stateDir} by launchers that are gone. */
    public static Report reclaimSockets(Path stateDir, Consumer<String> verbose) {
        List<String> failures = new ArrayList<>();
        Consumer<String> failed = f -> {
            failures.add(f);
            LOG.log(System.Logger.Level.WARNING, f);
        };
        List<Path> removed = List.of();
        try {
            removed = ListenSockets.reclaim(stateDir, verbose, failed);
        } catch (RuntimeException e) {
            // The records cannot be locked or listed: a failure to report, not one to end a launch or gc with.
            failed.accept("cannot reclaim the sockets recorded in " + stateDir + ": " + e.getMessage());
        }
        return new Report(List.of(), List.of(), removed, failures);
    }

    private Recovery() {}
}
