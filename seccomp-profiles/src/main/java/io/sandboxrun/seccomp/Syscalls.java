package io.sandboxrun.seccomp;

import io.sandboxrun.core.linux.LibSeccomp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Syscall names and numbers for the native architecture, as libseccomp knows them, plus the
 * syscalls added to Linux after the libseccomp this runs with was released, from
 * {@link io.sandboxrun.core.linux.Syscalls}' table. Where the library knows a name, it wins.
 */
public final class Syscalls {
    /** A name no architecture has. */
    public static final int UNKNOWN = LibSeccomp.UNKNOWN_SYSCALL;
    /** Syscall numbers are below this on every architecture libseccomp supports natively here. */
    private static final int SCAN_LIMIT = 1024;

    private static final Map<String, Integer> NUMBERS = new ConcurrentHashMap<>();
    /** Native names by number, read from libseccomp once; then lookups need no native call. */
    private static volatile String[] byNumber;

    /**
     * The native number of {@code name}; {@link #UNKNOWN} if no architecture has it; another
     * negative number if it exists on other architectures only (such as {@code _llseek} on x86_64).
     */
    public static int number(String name) {
        return NUMBERS.computeIfAbsent(name, n -> {
            int nr = LibSeccomp.resolveName(n);
            return nr != UNKNOWN ? nr : io.sandboxrun.core.linux.Syscalls.number(n).orElse(UNKNOWN);
        });
    }

    /** The native name of syscall {@code nr}, or {@code "syscall <nr>"} when it has none. */
    public static String name(int nr) {
        String[] names = byNumber();
        String n = nr >= 0 && nr < names.length ? names[nr] : null;
        return n != null ? n : "syscall " + nr;
    }

    /** Native names closest to a misspelt {@code name} (edit distance 1 or 2), best first, at most three. */
    public static List<String> similar(String name) {
        record Scored(String name, int distance) {}
        List<Scored> close = new ArrayList<>();
        for (String n : nativeNames()) {
            int d = distance(name, n);
            if (d <= 2) close.add(new Scored(n, d));
        }
        close.sort(Comparator.comparingInt(Scored::distance).thenComparing(Scored::name));
        return close.stream().limit(3).map(Scored::name).toList();
    }

    private static List<String> nativeNames() {
        return Arrays.stream(byNumber()).filter(Objects::nonNull).toList();
    }

    private static String[] byNumber() {
        String[] names = byNumber;
        if (names == null) {
            names = new String[SCAN_LIMIT];
            for (int nr = 0; nr < SCAN_LIMIT; nr++) names[nr] = LibSeccomp.resolveNum(nr);
            for (var e : io.sandboxrun.core.linux.Syscalls.numbers().entrySet()) {
                if (names[e.getValue()] == null) names[e.getValue()] = e.getKey();
            }
            byNumber = names;
        }
        return names;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private Syscalls() {}
}
