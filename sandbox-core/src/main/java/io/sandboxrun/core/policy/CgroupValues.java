package io.sandboxrun.core.policy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parsers and checks of the cgroup settings ({@code cgroup}, {@code limits},
 * {@code instance-limits}), shared by the policy file loader and the command line like
 * {@link PolicyValues}: each takes the field or option to name, and throws
 * {@link PolicyException} without a location, for example
 * {@code --cpus: "0.0001" has more than 3 decimals; use 0.01 to 1024 in steps of 0.001 (e.g. 0.5), or max}.
 *
 * <p>{@code max} means "explicitly unlimited" ({@link Limits#UNLIMITED},
 * {@link Limits#CPU_UNLIMITED}), so that a later source can lift an earlier limit.
 */
public final class CgroupValues {
    /** The word for "explicitly unlimited", as cgroup v2 control files spell it. */
    public static final String MAX = "max";
    /** Smallest memory limit: below this the kernel OOM-kills the helper and the interpreter while they start. */
    public static final long MEMORY_MIN = 1L << 20;
    /** Largest memory limit: a bound against typos (1024G for 1024M), not a host capacity; above it use max. */
    public static final long MEMORY_MAX = 1L << 40;
    /** Fewest CPUs, in thousandths: a 1 ms quota per 100 ms period, the smallest the kernel takes. */
    public static final int CPU_MILLIS_MIN = 10;
    /** Most CPUs, in thousandths: more than any host has. */
    public static final int CPU_MILLIS_MAX = 1024 * 1000;
    public static final int CPU_WEIGHT_MIN = 1;
    public static final int CPU_WEIGHT_MAX = 10000;
    /** Most tasks: the kernel's largest pid_max (PID_MAX_LIMIT), so no more can ever run. */
    public static final long PIDS_MAX = 4194304;
    /** The keys of one io throttle besides its device. */
    public static final List<String> IO_KEYS = List.of("rbps", "wbps", "riops", "wiops");

    private static final Pattern SIZE = Pattern.compile("([0-9]+)[KkMmGg]?");
    private static final Pattern CPUS = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?");
    private static final Pattern DEVICE_NUMBER = Pattern.compile("([0-9]{1,7}):([0-9]{1,7})");
    private static final int MAJOR_MAX = (1 << 12) - 1;
    private static final int MINOR_MAX = (1 << 20) - 1;
    /** {@code S_IFMT} and {@code S_IFBLK} of {@code st_mode}. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private static final String MEMORY_RANGE = PolicyValues.sizeWord(MEMORY_MIN) + " to "
            + PolicyValues.sizeWord(MEMORY_MAX) + ", or max";
    private static final String CPUS_RANGE = "0.01 to 1024 in steps of 0.001 (e.g. 0.5), or max";
    private static final String DEVICE_HINT = "use MAJOR:MINOR (e.g. 8:0) or the path of a block device (e.g. /dev/sda)";
    private static final String CGROUP_ROOT_HINT = "use an absolute cgroup path such as /sandbox-run, without"
            + " empty, '.' or '..' components";

    /** Cgroup mode: {@code off}, {@code best-effort} or {@code required}. */
    public static CgroupPolicy.Mode mode(String field, String text) {
        for (CgroupPolicy.Mode m : CgroupPolicy.Mode.values()) {
            if (m.word().equals(text)) return m;
        }
        throw PolicyException.of(field, PolicyValues.quote(text) + " is not a cgroup mode; use "
                + Arrays.stream(CgroupPolicy.Mode.values()).map(CgroupPolicy.Mode::word).collect(joiningOr()));
    }

    /**
     * The cgroup root: an absolute path inside the cgroup hierarchies, each component non-empty,
     * not {@code .} or {@code ..} (it must not climb out of, or alias, the subtree it names),
     * without control characters and at most 255 bytes (the kernel's name limit).
     */
    public static String root(String field, String text) {
        String shown = PolicyValues.quote(text);
        if (!text.startsWith("/")) throw PolicyException.of(field, shown + " is not absolute; " + CGROUP_ROOT_HINT);
        if (text.equals("/")) {
            throw PolicyException.of(field, shown + " is the hierarchy's root; " + CGROUP_ROOT_HINT);
        }
        for (String c : text.substring(1).split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..")) {
                String what = c.isEmpty() ? "an empty component" : "a " + PolicyValues.quote(c) + " component";
                throw PolicyException.of(field, shown + " has " + what + "; " + CGROUP_ROOT_HINT);
            }
            if (c.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw PolicyException.of(field, shown + " contains a control character; " + CGROUP_ROOT_HINT);
            }
            if (c.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw PolicyException.of(field, shown + " has a component longer than 255 bytes; " + CGROUP_ROOT_HINT);
            }
        }
        return text;
    }

    /** A memory limit (memory, memory-high): a size from 1M to 1024G, or max. */
    public static long memory(String field, String text) {
        return memory(field, text, PolicyValues.quote(text));
    }

    /** CPU time as a decimal number of CPUs, 0.01 to 1024 with at most 3 decimals, or max; in thousandths. */
    public static int cpus(String field, String text) {
        return cpus(field, text, PolicyValues.quote(text));
    }

    /** Relative CPU share under contention: 1 to 10000 (100 is the kernel's default). */
    public static int cpuWeight(String field, String text) {
        return cpuWeight(field, text, PolicyValues.quote(text));
    }

    /** Most tasks at once: 1 to 4194304, or max. */
    public static long pids(String field, String text) {
        return pids(field, text, PolicyValues.quote(text));
    }

    /** One rate of an io throttle ({@link #IO_KEYS}): bytes per second as a size, or a count of operations; or max. */
    public static long ioRate(String field, String key, String text) {
        return ioRate(field, key.endsWith("bps"), text, PolicyValues.quote(text));
    }

    /** {@link #device} as cgroup files write it: {@code MAJOR:MINOR}. */
    public static String deviceNumber(String field, String text) {
        int[] d = device(field, text);
        return d[0] + ":" + d[1];
    }

    /**
     * A block device as {@code MAJOR:MINOR}, or the absolute path of a block device on this host
     * (its device number read from the file); returns {@code {major, minor}}.
     */
    public static int[] device(String field, String text) {
        String shown = PolicyValues.quote(text);
        Matcher m = DEVICE_NUMBER.matcher(text);
        if (m.matches()) {
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            if (major > MAJOR_MAX || minor > MINOR_MAX) {
                throw PolicyException.of(field, shown + " is out of range; a major number goes up to " + MAJOR_MAX
                        + ", a minor number up to " + MINOR_MAX);
            }
            return new int[] {major, minor};
        }
        if (!text.startsWith("/")) throw PolicyException.of(field, shown + " is not a device; " + DEVICE_HINT);
        if (text.indexOf('\0') >= 0) throw PolicyException.of(field, shown + " contains a NUL character");
        Path p = Path.of(text);
        int mode;
        long rdev;
        try {
            mode = (Integer) Files.getAttribute(p, "unix:mode");
            rdev = (Long) Files.getAttribute(p, "unix:rdev");
        } catch (NoSuchFileException e) {
            throw PolicyException.of(field, shown + " does not exist; " + DEVICE_HINT);
        } catch (IOException | UnsupportedOperationException e) {
            throw PolicyException.of(field, shown + " cannot be read: " + e.getMessage());
        }
        if ((mode & S_IFMT) != S_IFBLK) throw PolicyException.of(field, shown + " is not a block device; " + DEVICE_HINT);
        return new int[] {major(rdev), minor(rdev)};
    }

    /**
     * An io throttle whose keys were each parsed on their own (from a file, or built in code): it
     * must name its device and at least one rate.
     */
    static IoLimit ioLimit(String field, IoLimit io) {
        if (io.device() == null) {
            throw PolicyException.of(field, "no device; give device: \"MAJOR:MINOR\" (e.g. \"8:0\") or the path of a block device");
        }
        if (io.rbps() == null && io.wbps() == null && io.riops() == null && io.wiops() == null) {
            throw PolicyException.of(field, "no rate; give at least one of rbps, wbps, riops, wiops (e.g. wbps: 10M)");
        }
        return io;
    }

    /**
     * One {@code --io-max} value: {@code DEV:KEY=V[,KEY=V...]}, DEV as {@link #device}, KEY one of
     * {@link #IO_KEYS} (each at most once).
     */
    public static IoLimit ioMax(String field, String text) {
        String hint = "; use DEV:KEY=VALUE[,KEY=VALUE] with DEV MAJOR:MINOR or a /dev path and KEY rbps, wbps, riops"
                + " or wiops (e.g. 8:0:wbps=10M,riops=100)";
        int eq = text.indexOf('=');
        // The device ends at the last ':' before the first '=': a /dev/disk/by-path name may hold ':' itself.
        int colon = eq < 0 ? -1 : text.lastIndexOf(':', eq);
        if (colon <= 0) throw PolicyException.of(field, PolicyValues.quote(text) + " is not an io limit" + hint);
        int[] dev = device(field, text.substring(0, colon));
        Long[] rates = new Long[IO_KEYS.size()];
        for (String kv : text.substring(colon + 1).split(",", -1)) {
            int e = kv.indexOf('=');
            String key = e < 0 ? kv : kv.substring(0, e);
            int i = IO_KEYS.indexOf(key);
            if (e < 0 || i < 0) {
                throw PolicyException.of(field, PolicyValues.quote(text) + ": " + PolicyValues.quote(kv)
                        + " is not KEY=VALUE with KEY rbps, wbps, riops or wiops" + hint);
            }
            if (rates[i] != null) throw PolicyException.of(field, PolicyValues.quote(text) + " sets " + key + " twice");
            rates[i] = ioRate(field, key.endsWith("bps"), kv.substring(e + 1), PolicyValues.quote(kv));
        }
        return new IoLimit(dev[0] + ":" + dev[1], rates[0], rates[1], rates[2], rates[3]);
    }

    /** {@code limit} as written in a policy: {@code max}, or the number ({@code bytes} as a size word). */
    public static String word(long limit, boolean bytes) {
        if (limit == Limits.UNLIMITED) return MAX;
        return bytes ? PolicyValues.sizeWord(limit) : Long.toString(limit);
    }

    /** {@code cpuMillis} as written in a policy: {@code 0.5}, {@code 2}, {@code max}. */
    public static String cpusWord(int cpuMillis) {
        if (cpuMillis == Limits.CPU_UNLIMITED) return MAX;
        return java.math.BigDecimal.valueOf(cpuMillis, 3).stripTrailingZeros().toPlainString();
    }

    /**
     * The major number of a Linux {@code dev_t} (glibc's {@code gnu_dev_major}): 12 bits in
     * 8..19, the rest from bit 32 up.
     */
    static int major(long rdev) {
        return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
    }

    /** The minor number of a Linux {@code dev_t} (glibc's {@code gnu_dev_minor}): bits 0..7, then 20 up. */
    static int minor(long rdev) {
        return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
    }

    // The variants below take how the value is shown in a message: quoted for a string, bare for
    // a number token of a policy file.

    static long memory(String field, String text, String shown) {
        if (text.equals(MAX)) return Limits.UNLIMITED;
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw PolicyException.of(field, shown + " is not a size; use a number with K, M or G (e.g. 256M), or max");
        }
        long bytes;
        try {
            bytes = PolicyValues.size(field, text, shown);
        } catch (PolicyException e) {
            bytes = Long.MAX_VALUE;   // too large for any size: say what this limit's range is instead
        }
        if (bytes < MEMORY_MIN || bytes > MEMORY_MAX) {
            throw PolicyException.of(field, shown + " is out of range; use " + MEMORY_RANGE);
        }
        return bytes;
    }

    static int cpus(String field, String text, String shown) {
        if (text.equals(MAX)) return Limits.CPU_UNLIMITED;
        Matcher m = CPUS.matcher(text);
        if (!m.matches()) throw PolicyException.of(field, shown + " is not a number of CPUs; use " + CPUS_RANGE);
        String decimals = m.group(2) == null ? "" : m.group(2);
        if (decimals.length() > 3) {
            throw PolicyException.of(field, shown + " has more than 3 decimals; use " + CPUS_RANGE);
        }
        long millis = m.group(1).length() > 7 ? Long.MAX_VALUE
                : Long.parseLong(m.group(1)) * 1000 + Long.parseLong((decimals + "000").substring(0, 3));
        if (millis < CPU_MILLIS_MIN || millis > CPU_MILLIS_MAX) {
            throw PolicyException.of(field, shown + " is out of range; use " + CPUS_RANGE);
        }
        return (int) millis;
    }

    static int cpuWeight(String field, String text, String shown) {
        String range = CPU_WEIGHT_MIN + " to " + CPU_WEIGHT_MAX + " (100 is the kernel's default)";
        Long n = digits(text);
        if (n == null) throw PolicyException.of(field, shown + " is not a whole number; use " + range);
        if (n < CPU_WEIGHT_MIN || n > CPU_WEIGHT_MAX) throw PolicyException.of(field, shown + " is out of range; use " + range);
        return n.intValue();
    }

    static long pids(String field, String text, String shown) {
        if (text.equals(MAX)) return Limits.UNLIMITED;
        String range = "1 to " + PIDS_MAX + ", or max";
        Long n = digits(text);
        if (n == null) throw PolicyException.of(field, shown + " is not a whole number; use " + range);
        if (n < 1 || n > PIDS_MAX) throw PolicyException.of(field, shown + " is out of range; use " + range);
        return n;
    }

    static long ioRate(String field, boolean bytes, String text, String shown) {
        if (text.equals(MAX)) return Limits.UNLIMITED;
        // 0 lifts the limit in v1 but reads as a rate in v2: ask for max, which says it plainly.
        String allowed = bytes ? "use bytes per second with K, M or G (e.g. 10M), 1 or more, or max"
                : "use operations per second, 1 or more, or max";
        long n;
        if (bytes) {
            if (!SIZE.matcher(text).matches()) throw PolicyException.of(field, shown + " is not a size; " + allowed);
            n = PolicyValues.size(field, text, shown);
        } else {
            Long d = digits(text);
            if (d == null) throw PolicyException.of(field, shown + " is not a whole number; " + allowed);
            n = d;
        }
        if (n < 1) throw PolicyException.of(field, shown + " is out of range; " + allowed);
        return n;
    }

    /** Plain decimal digits as a number; {@code null} for anything else, or when above 2^63-1. */
    private static Long digits(String text) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) return null;
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;   // 19 digits above Long.MAX_VALUE
        }
    }

    private static java.util.stream.Collector<CharSequence, ?, String> joiningOr() {
        return Collectors.collectingAndThen(Collectors.toList(), words ->
                String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1));
    }

    private CgroupValues() {}
}
