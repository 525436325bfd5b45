package io.sandboxrun.cgroup;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Parsers for the kernel's control-file formats. */
final class ControlFiles {
    /** "key value" lines (cpu.stat, memory.events, cgroup.events, memory.oom_control, pids.events). */
    static Map<String, Long> keyed(String text) {
        Map<String, Long> m = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 2) continue;
            try {
                m.put(f[0], Long.parseLong(f[1]));
            } catch (NumberFormatException e) {
                // not a number (e.g. "max"): not a figure
            }
        }
        return m;
    }

    /** A file holding one number; empty when it holds "max" or is absent. */
    static Optional<Long> number(Optional<String> text) {
        return text.map(String::trim).flatMap(s -> {
            try {
                return Optional.of(Long.parseLong(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }

    /** The words of a space-separated list file (cgroup.controllers, cgroup.subtree_control). */
    static java.util.Set<String> words(Optional<String> text) {
        java.util.Set<String> s = new java.util.LinkedHashSet<>();
        text.ifPresent(t -> {
            for (String w : t.trim().split("\\s+")) if (!w.isEmpty()) s.add(w);
        });
        return s;
    }

    private ControlFiles() {}
}
