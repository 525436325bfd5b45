package io.sandboxrun.core.policy;

/**
 * Whether instances run in their own cgroups, and under which root.
 *
 * @param mode {@link Mode#OFF}: no cgroup (no limits, no figures); {@link Mode#BEST_EFFORT}: a
 *             limit the host cannot enforce is a WARN and a protections entry;
 *             {@link Mode#REQUIRED}: it is an error (exit 125) before the app starts
 * @param root absolute cgroup path of the subtree to create instances in, the same path in every
 *             hierarchy (e.g. {@code /sandbox-run}); {@code null}: a {@code sandbox-run} child of
 *             the launcher's own cgroup
 */
public record CgroupPolicy(
        @Setting(kind = Kind.CGROUP_MODE, option = "--cgroup", byDefault = "best-effort",
                because = "limits wherever the host offers cgroups, a warning where it does not",
                help = "off, best-effort or required: whether instances run in cgroups, and whether a limit the host"
                        + " cannot enforce is a warning or an error before the app starts.")
        Mode mode,
        @Setting(kind = Kind.CGROUP_ROOT, option = "--cgroup-root",
                because = "a sandbox-run child of the launcher's own cgroup, in every hierarchy",
                help = "Absolute cgroup path to create the apps' cgroups under, the same in every hierarchy,"
                        + " e.g. /sandbox-run.")
        String root) {
    public enum Mode {
        OFF, BEST_EFFORT, REQUIRED;

        /** The policy-file spelling: {@code off}, {@code best-effort}, {@code required}. */
        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    public CgroupPolicy withMode(Mode m) { return new CgroupPolicy(m, root); }
    public CgroupPolicy withRoot(String r) { return new CgroupPolicy(mode, r); }
}
