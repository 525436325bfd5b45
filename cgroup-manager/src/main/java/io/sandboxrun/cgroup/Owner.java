package io.sandboxrun.cgroup;

import io.sandboxrun.core.linux.ProcessStart;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The ownership mark of an instance cgroup: which launcher process made it (pid and start time,
 * so a reused pid is not mistaken for it), for which app and instance, and when. A restarted
 * launcher reaps the instances whose owner is gone and leaves those of live launchers alone.
 *
 * @param startTicks the owner's start time in clock ticks after boot ({@link ProcessStart})
 */
public record Owner(int pid, long startTicks, String app, String instance, long createdMillis) {
    static final String VERSION = "sandbox-run/1";
    /** The mark of the root and app cgroups, which launchers share. */
    static final String SHARED = VERSION + " shared";

    /** This process, as the owner of a new instance. */
    public static Owner self(CgroupPath path) {
        ProcessStart me = ProcessStart.self();
        return new Owner(me.pid(), me.startTicks(), path.app(), path.instance(), System.currentTimeMillis());
    }

    String encode() {
        return VERSION + " instance launcher=" + new ProcessStart(pid, startTicks) + " app=" + app + " instance=" + instance
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
        Optional<ProcessStart> launcher = ProcessStart.parse(kv.getOrDefault("launcher", ""));
        try {
            long created = Long.parseLong(kv.getOrDefault("created", "0"));
            return launcher.map(l -> new Owner(l.pid(), l.startTicks(), kv.get("app"), kv.get("instance"), created));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Whether the launcher that made the mark still runs (same pid, same start time). */
    public boolean launcherAlive() {
        return new ProcessStart(pid, startTicks).alive();
    }
}
