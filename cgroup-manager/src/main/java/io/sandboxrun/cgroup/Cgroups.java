package io.sandboxrun.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Picks the driver for this host: v2 on a unified host, v1 (with cgroup2's help) otherwise. */
public final class Cgroups {
    /** The subtree of the launcher's own cgroup that holds the instances by default. */
    public static final String DEFAULT_SUBTREE = "sandbox-run";

    /** The driver for this host, from /proc/self/mountinfo and /proc/self/cgroup. */
    public static CgroupDriver detect(String configuredRoot) {
        try {
            return driver(CgroupLayout.parse(Files.readString(Path.of("/proc/self/mountinfo"))),
                    CgroupLayout.ownCgroups(Files.readString(Path.of("/proc/self/cgroup"))), configuredRoot, new CgroupFs());
        } catch (IOException e) {
            throw new CgroupException(null, 0, "cannot read /proc/self/mountinfo or /proc/self/cgroup: " + e.getMessage());
        }
    }

    /**
     * The driver for {@code layout}. {@code configuredRoot}: a cgroup path (as /proc/self/cgroup
     * writes them) used in every hierarchy, or {@code null} for {@code <own cgroup>/sandbox-run}
     * per hierarchy, so a launcher in a delegated cgroup needs no setting.
     *
     * @throws CgroupException when the host has no usable cgroup hierarchy
     */
    public static CgroupDriver driver(CgroupLayout layout, Map<String, String> own, String configuredRoot, CgroupFs fs) {
        switch (layout.mode()) {
            case UNIFIED:
                return new CgroupV2Driver(layout, fs, root(layout.unified(), own, configuredRoot));
            case HYBRID:
            case LEGACY: {
                Map<Hierarchy, Path> roots = new LinkedHashMap<>();
                for (String c : CgroupV1Driver.controllersFor(layout)) {
                    layout.v1(c).ifPresent(h -> roots.putIfAbsent(h, root(h, own, configuredRoot)));
                }
                if (layout.unified() != null) roots.put(layout.unified(), root(layout.unified(), own, configuredRoot));
                if (roots.isEmpty()) throw new CgroupException(null, 0, "no usable cgroup hierarchy: " + layout.describe());
                return new CgroupV1Driver(layout, fs, roots);
            }
            default:
                throw new CgroupException(null, 0, "no cgroup filesystem is mounted (see /proc/self/mountinfo)");
        }
    }

    static Path root(Hierarchy h, Map<String, String> own, String configuredRoot) {
        String path = configuredRoot;
        if (path == null) {
            String mine = own.getOrDefault(h.name(), "/");
            path = (mine.endsWith("/") ? mine : mine + "/") + DEFAULT_SUBTREE;
        }
        String p = path;
        return h.dir(p).orElseThrow(() -> new CgroupException(h.mountPoint(), 0, "cgroup " + p + " is outside the "
                + h.name() + " hierarchy mounted at " + h.mountPoint() + " (which shows " + h.mountRoot() + ")"));
    }

    private Cgroups() {}
}
