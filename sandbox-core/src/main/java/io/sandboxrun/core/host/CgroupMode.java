package io.sandboxrun.core.host;

import java.util.ArrayList;
import java.util.List;

/**
 * How cgroups are mounted, read from {@code /proc/self/mountinfo} text: a pure parse, so it is
 * tested on literal samples. {@code doctor} reports it; the cgroup manager (issue 5) will drive it.
 */
public record CgroupMode(Kind kind, String unifiedMount, List<String> v1Controllers) {
    public enum Kind { UNIFIED, HYBRID, LEGACY, NONE }

    public static CgroupMode parse(String mountinfo) {
        String unified = null;
        List<String> v1 = new ArrayList<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length < 5 || post.length < 3) continue;
            if (post[0].equals("cgroup2")) {
                unified = pre[4];
            } else if (post[0].equals("cgroup")) {
                for (String opt : post[2].split(",")) {
                    if (!opt.equals("rw") && !opt.equals("ro") && !opt.startsWith("name=")
                            && !opt.contains("=") && !opt.equals("relatime")) v1.add(opt);
                }
            }
        }
        Kind kind = unified == null ? (v1.isEmpty() ? Kind.NONE : Kind.LEGACY)
                : v1.isEmpty() ? Kind.UNIFIED : Kind.HYBRID;
        return new CgroupMode(kind, unified, List.copyOf(v1));
    }

    /** In words, e.g. {@code hybrid cgroups: memory,cpu,pids on v1; cgroup2 at /sys/fs/cgroup/unified}. */
    public String describe() {
        switch (kind) {
            case UNIFIED: return "unified cgroups (v2) at " + unifiedMount;
            case HYBRID: return "hybrid cgroups: " + String.join(",", v1Controllers) + " on v1; cgroup2 at "
                    + unifiedMount + " without those controllers";
            case LEGACY: return "legacy cgroups (v1 only): " + String.join(",", v1Controllers);
            default: return "no cgroup filesystem mounted";
        }
    }
}
