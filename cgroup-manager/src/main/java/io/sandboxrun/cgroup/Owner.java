package io.sandboxrun.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The ownership mark of an instance cgroup: which launcher process made it (pid and start time,
 * so a reused pid is not mistaken for it), for which app and instance, and when. A restarted
 * launcher reaps the instances whose owner is gone and leaves those of live launchers alone.
 *
 * @param startTicks the owner's start time in clock ticks after boot (/proc/PID/stat field 22)
 */
public record Owner(int pid, long startTicks, String app, String instance, long createdMillis) {
    static final String VERSION = "sandbox-run/1";
    /** The mark of the root and app cgroups, which launchers share. */
    static final String SHARED = VERSION + " shared";

    /** This process, as the owner of a new instance. */
    public static Owner self(CgroupPath path) {
        long pid = ProcessHandle.current().pid();
        return new Owner((int) pid, startTicks((int) pid).orElse(0L), path.app(), path.instance(),
                System.currentTimeMillis());
    }

    String encode() {
        return VERSION + " instance launcher=" + pid + ":" + startTicks + " app=" + app + " instance=" + instance
                + " created=" + createdMillis;
    }

    /** The mark's owner, or empty when the text is not an instance mark of ours. */
    static Optional<Owner> parse(String mark) {
        String[] f = mark.trim().split(" ");
        if (f.length < 2 || !f[0].equals(VERSION) || !f[1].equals("instance")) return Optional.empty();
        Map<String, String> kv = new HashMap<>();
        for (int i = 2; i < f.length; i++) {
            int eq = f[i].indexOf('=');
            if (eq > 0) kv.put(f[i].substring(0, eq), f[i].substring(eq + 1));
        }
        try {
            String[] launcher = kv.getOrDefault("launcher", "").split(":");
            return Optional.of(new Owner(Integer.parseInt(launcher[0]), Long.parseLong(launcher[1]), kv.get("app"),
                    kv.get("instance"), Long.parseLong(kv.getOrDefault("created", "0"))));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the launcher that made the mark still runs (same pid, same start time). */
    public boolean launcherAlive() {
        return startTicks((int) pid).map(t -> t == startTicks).orElse(false);
    }

    /** Field 22 of /proc/PID/stat; the command name before it may hold spaces and parentheses. */
    static Optional<Long> startTicks(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(Long.parseLong(rest[19]));   // fields 3.. follow ") "; 22 - 3 = 19
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
