package io.sandboxrun.cgroup;

import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * One mounted cgroup hierarchy: the unified (v2) one, or a v1 one with its controllers.
 *
 * @param name        {@code unified}, or the v1 controllers as /proc/self/cgroup names them
 *                    ({@code memory}, {@code cpu,cpuacct}, {@code name=systemd})
 * @param controllers v1: the controllers bound to it; unified: empty (what it offers is read from
 *                    {@code cgroup.controllers}, not from the mount)
 * @param mountPoint  where it is mounted
 * @param mountRoot   the cgroup that mount shows at its top ({@code /} unless a container bound a
 *                    subtree)
 */
public record Hierarchy(String name, Set<String> controllers, Path mountPoint, String mountRoot) {
    public static final String UNIFIED = "unified";

    public Hierarchy {
        // Sorted, not Set.copyOf: its iteration order changes from one JVM run to the next, and
        // describe() and the drivers list the controllers of a co-mounted cpu,cpuacct in order.
        controllers = Collections.unmodifiableSortedSet(new TreeSet<>(controllers));
    }

    public boolean unified() { return name.equals(UNIFIED); }

    /**
     * The directory of {@code cgroupPath} (as /proc/self/cgroup writes it) under this mount; empty
     * when the mount does not show that cgroup.
     */
    public java.util.Optional<Path> dir(String cgroupPath) {
        String root = mountRoot.equals("/") ? "" : mountRoot;
        if (!cgroupPath.equals(root) && !cgroupPath.startsWith(root + "/") && !root.isEmpty()) {
            return java.util.Optional.empty();
        }
        String rest = cgroupPath.substring(root.length());
        while (rest.startsWith("/")) rest = rest.substring(1);
        return java.util.Optional.of(rest.isEmpty() ? mountPoint : mountPoint.resolve(rest));
    }
}
