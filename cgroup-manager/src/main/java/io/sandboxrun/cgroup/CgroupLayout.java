package io.sandboxrun.cgroup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.TreeSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How cgroups are mounted, from the text of {@code /proc/self/mountinfo}: a pure parse, tested on
 * literal samples of unified, hybrid and legacy hosts. Never guessed from paths.
 *
 * @param unified the cgroup2 mount, or {@code null}
 * @param v1      the v1 hierarchies that carry controllers, in mountinfo order (named-only ones
 *                such as {@code name=systemd} are left out: they limit nothing)
 */
public record CgroupLayout(Mode mode, Hierarchy unified, List<Hierarchy> v1) {
    /** UNIFIED: v2 only. HYBRID: v1 controllers plus a cgroup2 mount. LEGACY: v1 only. */
    public enum Mode { UNIFIED, HYBRID, LEGACY, NONE }

    public CgroupLayout {
        v1 = List.copyOf(v1);
    }

    public static CgroupLayout parse(String mountinfo) {
        Hierarchy unified = null;
        Map<String, Hierarchy> v1 = new LinkedHashMap<>();
        for (String line : mountinfo.split("\n")) {
            int dash = line.indexOf(" - ");
            if (dash < 0) continue;
            String[] pre = line.substring(0, dash).split(" ");
            String[] post = line.substring(dash + 3).split(" ");
            if (pre.length < 5 || post.length < 3) continue;
            String root = unescape(pre[3]);
            Path point = Path.of(unescape(pre[4]));
            if (post[0].equals("cgroup2")) {
                if (unified == null) unified = new Hierarchy(Hierarchy.UNIFIED, Set.of(), point, root);
            } else if (post[0].equals("cgroup")) {
                Set<String> controllers = new TreeSet<>();   // sorted: the same name as in /proc/self/cgroup
                for (String opt : post[2].split(",")) {
                    if (KNOWN_V1.contains(opt)) controllers.add(opt);
                }
                if (controllers.isEmpty()) continue;
                String name = String.join(",", controllers);
                v1.putIfAbsent(name, new Hierarchy(name, controllers, point, root));   // the first mount wins
            }
        }
        Mode mode = unified == null ? (v1.isEmpty() ? Mode.NONE : Mode.LEGACY)
                : v1.isEmpty() ? Mode.UNIFIED : Mode.HYBRID;
        return new CgroupLayout(mode, unified, new ArrayList<>(v1.values()));
    }

    /** The v1 hierarchy that carries {@code controller}. */
    public Optional<Hierarchy> v1(String controller) {
        return v1.stream().filter(h -> h.controllers().contains(controller)).findFirst();
    }

    /**
     * Which cgroup this process is in, per hierarchy name (as in {@link Hierarchy#name()}), from
     * the text of {@code /proc/self/cgroup}: {@code 0::/path} is the unified one.
     */
    public static Map<String, String> ownCgroups(String procSelfCgroup) {
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : procSelfCgroup.split("\n")) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[0].equals("0") && f[1].isEmpty()) {
                own.put(Hierarchy.UNIFIED, f[2]);
            } else {
                // Sorted, like the names parse() gives.
                List<String> ctl = new ArrayList<>(Arrays.asList(f[1].split(",")));
                ctl.removeIf(c -> !KNOWN_V1.contains(c));
                ctl.sort(null);
                if (!ctl.isEmpty()) own.put(String.join(",", ctl), f[2]);
            }
        }
        return own;
    }

    /** In words, e.g. {@code hybrid: memory,cpu,pids on v1; cgroup2 at /sys/fs/cgroup/unified without controllers}. */
    public String describe() {
        String v1Names = String.join(",", v1.stream().flatMap(h -> h.controllers().stream()).toList());
        switch (mode) {
            case UNIFIED: return "unified cgroups (v2) at " + unified.mountPoint();
            case HYBRID: return "hybrid cgroups: " + v1Names + " on v1; cgroup2 at " + unified.mountPoint();
            case LEGACY: return "legacy cgroups (v1 only): " + v1Names;
            default: return "no cgroup filesystem mounted";
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Controllers a v1 mount option can name (the rest are mount options such as rw, relatime). */
    private static final Set<String> KNOWN_V1 = Set.of("cpu", "cpuacct", "cpuset", "memory", "devices", "freezer",
            "net_cls", "net_prio", "blkio", "perf_event", "hugetlb", "pids", "rdma", "misc");
}
