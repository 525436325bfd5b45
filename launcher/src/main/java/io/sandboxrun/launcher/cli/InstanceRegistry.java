package io.sandboxrun.launcher.cli;

import io.sandboxrun.cgroup.CgroupDriver;
import io.sandboxrun.cgroup.CgroupException;
import io.sandboxrun.cgroup.CgroupHandle;
import io.sandboxrun.cgroup.Cgroups;
import io.sandboxrun.core.launch.CgroupStats;
import io.sandboxrun.core.launch.ExitCodes;
import io.sandboxrun.core.policy.CgroupValues;
import io.sandboxrun.core.policy.PolicyException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The cgroup tree as the registry of running instances, for {@code ps}, {@code stats},
 * {@code kill}, {@code freeze}, {@code thaw} and {@code gc}: every marked instance cgroup below the
 * root is an instance, its mark names the launcher that owns it.
 */
final class InstanceRegistry {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** The {@code --cgroup-root} option the operations share. */
    static final class RootOption {
        @Option(names = "--cgroup-root", paramLabel = "PATH", description = "The cgroup subtree the launchers use, as"
                + " given to sandbox-run --cgroup-root (default: a sandbox-run child of this command's own cgroup,"
                + " which is the launcher's when both run in the same service).")
        String root;
    }

    /** One instance found in the tree. */
    record Entry(CgroupDriver.Listed listed, CgroupHandle handle) {
        String app() { return listed.path().app(); }

        String instance() { return listed.path().instance(); }

        String name() { return listed.path().toString(); }

        /** sandbox-init's host pid: the one process of the cgroup whose parent is the launcher. */
        Optional<Integer> helperPid() {
            for (int pid : handle.pids()) {
                if (parentPid(pid) == listed.owner().pid()) return Optional.of(pid);
            }
            return Optional.empty();
        }

        /** {@code running}, {@code frozen}, {@code orphaned} (launcher gone) or {@code ended} (no process left). */
        String state() {
            if (!listed.owner().launcherAlive()) return "orphaned";
            var ev = handle.events();
            if (!ev.populated()) return "ended";
            return ev.frozen() ? "frozen" : "running";
        }

        Optional<CgroupStats> stats() {
            try {
                return Optional.of(handle.stats());
            } catch (CgroupException e) {
                return Optional.empty();   // it ended and its cgroup went away while we looked
            }
        }
    }

    static CgroupDriver driver(String root) {
        return Cgroups.detect(root == null ? null : CgroupValues.root("--cgroup-root", root));
    }

    /**
     * The instances {@code target} names: {@code null} for all, {@code APP} for every instance of
     * the app, {@code APP/INSTANCE} for one.
     *
     * @throws PolicyException (exit 2) when the target is not of that form
     */
    static List<Entry> find(CgroupDriver driver, String target) {
        String app = null, instance = null;
        if (target != null) {
            String[] parts = target.split("/", -1);
            if (parts.length > 2 || !NAME.matcher(parts[0]).matches()
                    || (parts.length == 2 && !NAME.matcher(parts[1]).matches())) {
                throw PolicyException.of("TARGET", "\"" + target + "\" is not APP or APP/INSTANCE (names: "
                        + NAME.pattern() + "); sandbox-run ps lists them");
            }
            app = parts[0];
            instance = parts.length == 2 ? parts[1] : null;
        }
        List<Entry> found = new ArrayList<>();
        for (CgroupDriver.Listed l : driver.list()) {
            if (app != null && !l.path().app().equals(app)) continue;
            if (instance != null && !l.path().instance().equals(instance)) continue;
            driver.open(l.path()).ifPresent(h -> found.add(new Entry(l, h)));
        }
        return found;
    }

    /** Exit code and message when a target matched nothing. */
    static int noneFound(java.io.PrintWriter err, String target) {
        err.println("sandbox-run: no instance " + (target == null ? "is running" : "matches \"" + target + "\"")
                + " (sandbox-run ps lists them)");
        err.flush();
        return 1;
    }

    static int usage(java.io.PrintWriter err, String message) {
        err.println("sandbox-run: " + message);
        err.flush();
        return ExitCodes.USAGE;
    }

    static int failed(java.io.PrintWriter err, String message) {
        err.println("sandbox-run: " + message);
        err.flush();
        return 1;
    }

    private static int parentPid(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private InstanceRegistry() {}
}
