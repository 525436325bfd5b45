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
 * x86_64 syscalls added to Linux after the libseccomp this runs with was released.
 */
public final class Syscalls {
    /** A name no architecture has. */
    public static final int UNKNOWN = LibSeccomp.UNKNOWN_SYSCALL;
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e;            // linux/audit.h

    /**
     * x86_64 syscalls after Linux 5.17 (libseccomp 2.5.4's table ends at set_mempolicy_home_node,
     * 450); numbers from arch/x86/entry/syscalls/syscall_64.tbl, as libseccomp's newer tables
     * have them. Used only where libseccomp knows no such name, so a newer library wins.
     */
    private static final Map<String, Integer> LATE_X86_64 = Map.ofEntries(
            Map.entry("cachestat", 451), Map.entry("fchmodat2", 452), Map.entry("map_shadow_stack", 453),
            Map.entry("futex_wake", 454), Map.entry("futex_wait", 455), Map.entry("futex_requeue", 456),
            Map.entry("statmount", 457), Map.entry("listmount", 458), Map.entry("lsm_get_self_attr", 459),
            Map.entry("lsm_set_self_attr", 460), Map.entry("lsm_list_modules", 461), Map.entry("mseal", 462),
            Map.entry("setxattrat", 463), Map.entry("getxattrat", 464), Map.entry("listxattrat", 465),
            Map.entry("removexattrat", 466), Map.entry("open_tree_attr", 467), Map.entry("file_getattr", 468),
            Map.entry("file_setattr", 469), Map.entry("listns", 470));
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
            if (nr == UNKNOWN && isX86_64()) return LATE_X86_64.getOrDefault(n, UNKNOWN);
            return nr;
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
            if (isX86_64()) for (var e : LATE_X86_64.entrySet()) names[e.getValue()] = e.getKey();
            byNumber = names;
        }
        return names;
    }

    private static boolean isX86_64() {
        return LibSeccomp.nativeArch() == AUDIT_ARCH_X86_64;
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
