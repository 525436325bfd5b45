package io.sandboxrun.core.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Parsers and checks of single policy values, shared by the policy file loader and the command
 * line so that both accept the same values and word their errors the same way.
 *
 * <p>Each method takes the {@code field} to name in an error: the field path for a file
 * ({@code tmp-size}, {@code listen[1]}) or the option for the command line ({@code --tmp-size}).
 * Each throws {@link PolicyException} without a location, for example
 * {@code --tmp-size: "12Q" is not a size; use a number with K, M or G (e.g. 256M)}; the file loader
 * adds the location.
 */
public final class PolicyValues {
    /** Smallest writable space: below this even an interpreter's bytecode cache does not fit. */
    public static final long TMP_SIZE_MIN = 1L << 20;
    /** Largest writable space: a bound against typos (64T for 64G), not a host capacity. */
    public static final long TMP_SIZE_MAX = 64L << 30;
    /** Host ids below this belong to root and system users; an app must never map onto them. */
    public static final long HOST_ID_BASE_MIN = 1000;
    /** Largest usable host id: (uid_t) -1 is "no id" to the kernel. */
    public static final long HOST_ID_MAX = 4294967294L;
    /** Longest unix socket path: sun_path holds 108 bytes including the final NUL. */
    public static final int UNIX_PATH_MAX = 107;
    /**
     * Environment names the runtime sets itself and a policy may not: socket activation's
     * {@code LISTEN_*} (they must match the fds passed in) and {@code PATH} (set by {@code path}).
     */
    public static final Set<String> RESERVED_ENV =
            Set.copyOf(List.of("LISTEN_FDNAMES", "LISTEN_FDS", "LISTEN_PID", "PATH"));

    private static final Pattern APP = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9.-]{1,64}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SIZE = Pattern.compile("([0-9]+)([KkMmGg]?)");
    private static final Pattern IPV4 =
            Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Set<Rlimit> BYTE_RLIMITS = Set.of(Rlimit.FSIZE, Rlimit.AS, Rlimit.STACK, Rlimit.MEMLOCK);

    private static final String SIZE_HINT = "use a number with K, M or G (e.g. 256M)";
    private static final String PATH_HINT = "use absolute directories separated by ':' (e.g. /usr/local/bin:/usr/bin:/bin)";
    private static final String LISTEN_HINT =
            "use HOST:PORT (an IP address or localhost, IPv6 in brackets) or unix:/absolute/path";
    private static final String UNIX_OPTIONS_HINT = "use mode=OCTAL, owner=USER or group=GROUP";
    private static final String MODE_HINT = "use 3 or 4 octal digits up to 0777 (e.g. 0660: owner and group may connect)";
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://(.*)", Pattern.DOTALL);
    private static final String PORT_HINT = "use 0 to 65535 (0 picks a free port)";

    /** App name: {@code [a-z0-9][a-z0-9._-]{0,62}}. */
    public static String appName(String field, String text) {
        if (!APP.matcher(text).matches()) {
            throw PolicyException.of(field, quote(text) + " is not a valid app name; use 1 to 63 characters of"
                    + " a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
        }
        return text;
    }

    /** Host name inside the sandbox: 1 to 64 characters of {@code [A-Za-z0-9.-]}. */
    public static String hostname(String field, String text) {
        if (!HOSTNAME.matcher(text).matches()) {
            throw PolicyException.of(field, quote(text)
                    + " is not a valid host name; use 1 to 64 characters of A-Z, a-z, 0-9, '.' and '-'");
        }
        return text;
    }

    /** PATH inside the sandbox: absolute directories separated by {@code ':'}. */
    public static String searchPath(String field, String text) {
        noNul(field, text);
        if (text.isEmpty()) throw PolicyException.of(field, "\"\" is empty; " + PATH_HINT);
        for (String dir : text.split(":", -1)) {
            if (dir.isEmpty()) throw PolicyException.of(field, quote(text) + " has an empty entry; " + PATH_HINT);
            if (!dir.startsWith("/")) {
                throw PolicyException.of(field, quote(text) + " has a relative entry " + quote(dir) + "; " + PATH_HINT);
            }
        }
        return text;
    }

    /** A size in bytes: a whole number with an optional K, M or G suffix (powers of 1024). */
    public static long size(String field, String text) {
        return size(field, text, quote(text));
    }

    /** The size of the app's writable space: {@link #size} from 1M to 64G. */
    public static long tmpSize(String field, String text) {
        return tmpSize(field, text, quote(text));
    }

    /** Landlock mode: {@code off}, {@code best-effort} or {@code required}. */
    public static LandlockMode landlock(String field, String text) {
        for (LandlockMode m : LandlockMode.values()) {
            if (m.word().equals(text)) return m;
        }
        throw PolicyException.of(field, quote(text) + " is not a landlock mode; use "
                + Arrays.stream(LandlockMode.values()).map(LandlockMode::word).collect(joiningOr()));
    }

    /**
     * A listen address: {@code HOST:PORT} with HOST an IPv4 literal, {@code [IPv6]} or
     * {@code localhost} and PORT 0 to 65535 (0: the kernel picks a free port), or
     * {@code unix:/absolute/path} with options {@code mode=OCTAL}, {@code owner=USER} and
     * {@code group=GROUP} after commas (users and groups by name from /etc/passwd and /etc/group,
     * or numeric).
     */
    public static ListenAddress listen(String field, String text) {
        noNul(field, text);
        Matcher scheme = SCHEME.matcher(text);
        if (scheme.matches() && scheme.group(1).equals("unix")) {
            String path = scheme.group(2).startsWith("/") ? scheme.group(2) : "/absolute/path";
            throw PolicyException.of(field, quote(text) + ": a unix socket is unix: and its absolute path; use unix:" + path);
        }
        if (scheme.matches()) {
            throw PolicyException.of(field, quote(text) + ": drop the scheme: use " + withoutScheme(scheme.group(2)));
        }
        if (text.startsWith("unix:")) return unixListen(field, text);
        if (text.contains(",")) {
            throw PolicyException.of(field, quote(text) + ": options (mode=, owner=, group=) apply to unix sockets only; "
                    + LISTEN_HINT);
        }
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) throw PolicyException.of(field, quote(text) + " has no closing ']'; " + LISTEN_HINT);
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (rest.isEmpty()) throw PolicyException.of(field, quote(text) + " has no port; " + LISTEN_HINT);
            if (!rest.startsWith(":")) throw PolicyException.of(field, quote(text) + " is not an address; " + LISTEN_HINT);
            port = rest.substring(1);
            if (!isIpv6(host)) {
                throw PolicyException.of(field, quote(text) + ": host " + quote(host) + " is not an IPv6 address; " + LISTEN_HINT);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0) throw PolicyException.of(field, quote(text) + " has no port; " + LISTEN_HINT);
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw PolicyException.of(field, quote(text) + ": put an IPv6 address in brackets, e.g. [::1]:8080");
            }
            boolean ok = host.equals("localhost") || IPV4.matcher(host).matches() && ipv4InRange(host);
            if (!ok) {
                throw PolicyException.of(field, quote(text) + ": host " + quote(host)
                        + " is not an IP address or localhost; " + LISTEN_HINT);
            }
        }
        Long n = digits(port);
        if (n == null) {
            throw PolicyException.of(field, quote(text) + ": port " + quote(port) + " is not a number; " + PORT_HINT);
        }
        if (n > 65535) throw PolicyException.of(field, quote(text) + ": port " + port + " is out of range; " + PORT_HINT);
        return new ListenAddress.Tcp(host, n.intValue());
    }

    /** What {@code scheme://rest} should have been: the rest, if it is an address, else the forms. */
    private static String withoutScheme(String rest) {
        String candidate = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        try {
            return listen("", candidate).toString();
        } catch (PolicyException e) {
            return LISTEN_HINT.substring("use ".length());
        }
    }

    private static ListenAddress unixListen(String field, String text) {
        String[] parts = text.substring("unix:".length()).split(",", -1);
        String path = parts[0];
        if (!path.startsWith("/")) {
            throw PolicyException.of(field, quote(text) + " is not an absolute path; use unix:/absolute/path");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > UNIX_PATH_MAX) {
            throw PolicyException.of(field, quote(text) + " is too long; a unix socket path has at most "
                    + UNIX_PATH_MAX + " bytes");
        }
        Integer mode = null;
        ListenAddress.Account owner = null, group = null;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq < 0) {
                throw PolicyException.of(field, quote(text) + ": " + quote(parts[i]) + " is not an option; "
                        + UNIX_OPTIONS_HINT + " (a socket path cannot hold ',')");
            }
            String key = parts[i].substring(0, eq), value = parts[i].substring(eq + 1);
            boolean given = switch (key) {
                case "mode" -> mode != null;
                case "owner" -> owner != null;
                case "group" -> group != null;
                default -> throw PolicyException.of(field, quote(text) + ": unknown option " + quote(key) + "; "
                        + UNIX_OPTIONS_HINT);
            };
            if (given) throw PolicyException.of(field, quote(text) + ": " + key + " is given twice; give each option once");
            switch (key) {
                case "mode" -> mode = socketMode(field, text, value);
                case "owner" -> owner = account(field, text, "owner", value, Accounts.PASSWD, "user", "uid");
                default -> group = account(field, text, "group", value, Accounts.GROUP, "group", "gid");
            }
        }
        return new ListenAddress.Unix(Path.of(path).normalize(), mode == null ? ListenAddress.Unix.DEFAULT_MODE : mode,
                owner, group);
    }

    private static int socketMode(String field, String text, String value) {
        if (!value.matches("[0-7]{3,4}")) {
            throw PolicyException.of(field, quote(text) + ": mode " + quote(value) + " is not an octal mode; " + MODE_HINT);
        }
        int mode = Integer.parseInt(value, 8);
        if (mode > 0777) {
            throw PolicyException.of(field, quote(text) + ": mode " + value
                    + " has bits beyond the permissions, which mean nothing on a socket; " + MODE_HINT);
        }
        return mode;
    }

    /** A user or group by name from {@code file}, or a numeric id. */
    private static ListenAddress.Account account(String field, String text, String key, String value, Path file,
                                                 String what, String idWord) {
        String hint = "use a " + what + " name from " + file + " or a numeric " + idWord;
        if (value.isEmpty()) throw PolicyException.of(field, quote(text) + ": " + key + " is empty; " + hint);
        Long n = digits(value);
        if (n != null) {
            if (n > Integer.MAX_VALUE) {
                throw PolicyException.of(field, quote(text) + ": " + key + " " + value + " is out of range; " + hint
                        + " up to " + Integer.MAX_VALUE);
            }
            return new ListenAddress.Account(value, n.intValue());
        }
        java.util.OptionalInt id = Accounts.lookup(file, value);
        if (id.isEmpty()) {
            throw PolicyException.of(field, quote(text) + ": " + key + " " + quote(value) + " is not a " + what + " in "
                    + file + "; " + hint);
        }
        return new ListenAddress.Account(value, id.getAsInt());
    }

    /** An environment variable name: {@code [A-Za-z_][A-Za-z0-9_]*}, not {@link #RESERVED_ENV}. */
    public static String envName(String field, String name) {
        if (!ENV_NAME.matcher(name).matches()) {
            throw PolicyException.of(field, quote(name)
                    + " is not a valid variable name; use letters, digits and '_', not starting with a digit");
        }
        if (RESERVED_ENV.contains(name)) {
            throw PolicyException.of(field, quote(name) + " is reserved; the runtime sets "
                    + new TreeSet<>(RESERVED_ENV).stream().collect(joiningAnd()) + " (PATH comes from the path setting)");
        }
        return name;
    }

    /**
     * The value of variable {@code name}: any string without NUL, short enough for execve
     * ({@link ExecArgs#MAX_STRING} for NAME=VALUE).
     */
    public static String envValue(String field, String name, String value) {
        noNul(field, value);
        String tooLong = ExecArgs.variableTooLong(name, value);
        if (tooLong != null) throw PolicyException.of(field, tooLong);
        return value;
    }

    /** {@code NAME=VALUE} as given to {@code --env}. */
    public static Map.Entry<String, String> envEntry(String field, String text) {
        int eq = text.indexOf('=');
        if (eq < 0) throw PolicyException.of(field, quote(text) + " has no '='; use NAME=VALUE");
        String name = envName(field, text.substring(0, eq));
        return new SimpleImmutableEntry<>(name, envValue(field, name, text.substring(eq + 1)));
    }

    /** The app's argv: at least one word, each non-empty and without NUL. */
    public static List<String> command(String field, List<String> words) {
        if (words.isEmpty()) {
            throw PolicyException.of(field, "[] is empty; give the program and its arguments, e.g. [python3, app.py]");
        }
        List<String> out = new ArrayList<>(words.size());
        for (int i = 0; i < words.size(); i++) out.add(commandWord(field + "[" + i + "]", words.get(i)));
        return out;
    }

    /** One word of the app's argv: non-empty, without NUL, short enough for execve ({@link ExecArgs#MAX_STRING}). */
    public static String commandWord(String field, String word) {
        noNul(field, word);
        if (word.isEmpty()) throw PolicyException.of(field, "\"\" is empty; every word of the command must have text");
        String tooLong = ExecArgs.wordTooLong(word);
        if (tooLong != null) throw PolicyException.of(field, tooLong);
        return word;
    }

    /**
     * An absolute host path (ro-binds, state-dir), normalised, without {@code ..} components.
     * Normalising would drop {@code dir/..} as text, while the kernel first follows {@code dir} if
     * it is a symlink: {@code /run/../proc} would be {@code /proc}, and {@code /lib/../etc}
     * (with {@code /lib -> usr/lib}) {@code /etc} here but {@code /usr/etc} to the kernel. A
     * state dir is where the runtime mounts and removes the writable spaces, and a ro-bind is
     * shown inside at its path as written and opened on the host as the kernel resolves it; both
     * must say plainly where they are.
     */
    public static Path absolutePath(String field, String text) {
        noNul(field, text);
        if (!text.startsWith("/")) {
            throw PolicyException.of(field, quote(text) + " is not an absolute path; use a host path starting with /");
        }
        noDotDot(field, text, 0);
        return toPath(field, text);
    }

    /**
     * A ro-bind: absolute as {@link #absolutePath}, or, on the command line, relative to the
     * working directory. There {@code ..} may lead (e.g. {@code ../lib}): the working directory is
     * a real path (getcwd(3)), so going up from it is exact; a {@code ..} after a name is refused.
     */
    public static Path bindPath(String field, String text, Path base) {
        noNul(field, text);
        if (text.startsWith("/")) return absolutePath(field, text);
        String[] parts = text.split("/");
        int leading = 0;
        while (leading < parts.length && parts[leading].equals("..")) leading++;
        noDotDot(field, text, leading);
        return hostPath(field, text, base);
    }

    /** Refuses a {@code ..} among the components of {@code text} from index {@code from} on. */
    private static void noDotDot(String field, String text, int from) {
        String[] parts = text.split("/");
        for (int i = from; i < parts.length; i++) {
            if (!parts[i].equals("..")) continue;
            String leads = "";
            try {
                leads = ", which leads to " + Path.of(text).toRealPath();
            } catch (java.io.IOException | InvalidPathException e) {
                // Missing (or not a path): say only what is wrong with the text.
            }
            throw PolicyException.of(field, quote(text) + " has a \"..\" component" + leads
                    + "; write the path without \"..\" components");
        }
    }

    /** A host path that may be relative to {@code base} (app-root), made absolute and normalised. */
    public static Path hostPath(String field, String text, Path base) {
        noNul(field, text);
        if (text.isEmpty()) throw PolicyException.of(field, "\"\" is empty; give a directory");
        return base.toAbsolutePath().resolve(toPath(field, text)).normalize();
    }

    /** The seccomp profile words besides a file path: {@code auto} and the bundled profiles. */
    public static final List<String> SECCOMP_WORDS = List.of("auto", "default", "python", "strict");

    /**
     * A seccomp profile choice: one of {@link #SECCOMP_WORDS}, or a JSON file (absolute, or
     * relative to {@code base}) that must exist; a file is returned as its absolute path.
     */
    public static String seccomp(String field, String text, Path base) {
        noNul(field, text);
        if (SECCOMP_WORDS.contains(text)) return text;
        if (!text.contains("/") && !text.endsWith(".json")) {
            throw PolicyException.of(field, quote(text) + " is not a profile; use auto, default, python, strict"
                    + " or the path of an OCI seccomp JSON file");
        }
        Path p = base.toAbsolutePath().resolve(toPath(field, text)).normalize();
        if (!java.nio.file.Files.isRegularFile(p)) {
            throw PolicyException.of(field, quote(text) + " is not a readable file; use auto, default, python, strict"
                    + " or the path of an OCI seccomp JSON file (relative paths start where the policy file is)");
        }
        return p.toString();
    }

    /** An rlimit name as in {@link Rlimit#word()}. */
    public static Rlimit rlimitName(String field, String name) {
        for (Rlimit r : Rlimit.values()) {
            if (r.word().equals(name)) return r;
        }
        throw PolicyException.of(field, "unknown rlimit " + quote(name) + "; known rlimits: "
                + Arrays.stream(Rlimit.values()).map(Rlimit::word).sorted().collect(Collectors.joining(", ")));
    }

    /**
     * One rlimit amount: a whole number, {@code unlimited} ({@link RlimitValue#UNLIMITED}), or for
     * fsize, as, stack and memlock also a size with K, M or G.
     */
    public static long rlimitAmount(String field, Rlimit rlimit, String text) {
        return rlimitAmount(field, rlimit, text, quote(text));
    }

    /** Soft and hard value of one rlimit; soft may not exceed hard. */
    public static RlimitValue rlimitValue(String field, long soft, long hard) {
        boolean softAbove = soft == RlimitValue.UNLIMITED ? hard != RlimitValue.UNLIMITED
                : hard != RlimitValue.UNLIMITED && soft > hard;
        if (softAbove) {
            throw PolicyException.of(field, "soft " + RlimitValue.word(soft) + " is above hard "
                    + RlimitValue.word(hard) + "; soft must not exceed hard");
        }
        return new RlimitValue(soft, hard);
    }

    /** {@code NAME=VALUE} or {@code NAME=SOFT:HARD} as given to {@code --rlimit}. */
    public static Map.Entry<Rlimit, RlimitValue> rlimit(String field, String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            throw PolicyException.of(field, quote(text) + " has no '='; use NAME=VALUE or NAME=SOFT:HARD (e.g. nofile=1024)");
        }
        Rlimit r = rlimitName(field, text.substring(0, eq));
        String value = text.substring(eq + 1);
        int colon = value.indexOf(':');
        RlimitValue v = colon < 0 ? RlimitValue.of(rlimitAmount(field, r, value))
                : rlimitValue(field, rlimitAmount(field, r, value.substring(0, colon)),
                        rlimitAmount(field, r, value.substring(colon + 1)));
        return new SimpleImmutableEntry<>(r, v);
    }

    /** The app's uid or gid inside the sandbox: 1 or more (0 is root). */
    public static int userId(String field, String text) {
        return userId(field, text, quote(text));
    }

    /** First host id of the app's user namespace: 1000 to 4294967294. */
    public static long hostIdBase(String field, String text) {
        return hostIdBase(field, text, quote(text));
    }

    /** Number of ids in the app's user namespace: 2 or more (0 and the app's id). */
    public static int idCount(String field, String text) {
        return idCount(field, text, quote(text));
    }

    /** {@code text} in double quotes, with quotes, backslashes and control characters escaped. */
    public static String quote(String text) {
        return io.sandboxrun.core.document.Reading.quote(text);
    }

    // The variants below take how the value is shown in a message: quoted for a string, bare for
    // a number token of a policy file.

    static long size(String field, String text, String shown) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) throw PolicyException.of(field, shown + " is not a size; " + SIZE_HINT);
        Long n = digits(m.group(1));
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            default -> 0;
        };
        if (n == null || n > (Long.MAX_VALUE >> shift)) {
            throw PolicyException.of(field, shown + " is too large; a size goes up to " + (Long.MAX_VALUE >> 30) + "G");
        }
        return n << shift;
    }

    static long tmpSize(String field, String text, String shown) {
        long bytes = size(field, text, shown);
        if (bytes < TMP_SIZE_MIN || bytes > TMP_SIZE_MAX) {
            throw PolicyException.of(field, shown + " is out of range; use " + sizeWord(TMP_SIZE_MIN) + " to "
                    + sizeWord(TMP_SIZE_MAX));
        }
        return bytes;
    }

    static long rlimitAmount(String field, Rlimit rlimit, String text, String shown) {
        if (text.equals("unlimited")) return RlimitValue.UNLIMITED;
        if (BYTE_RLIMITS.contains(rlimit)) {
            if (!SIZE.matcher(text).matches()) {
                throw PolicyException.of(field, shown + " is not a size; use a number with K, M or G (e.g. 64M), or unlimited");
            }
            return size(field, text, shown);
        }
        Long n = digits(text);
        if (n == null) {
            throw PolicyException.of(field, shown + " is not a valid limit; use a whole number (0 or more) or unlimited");
        }
        return n;
    }

    static int userId(String field, String text, String shown) {
        long n = whole(field, text, shown, 0, Integer.MAX_VALUE - 1L, "1 to " + (Integer.MAX_VALUE - 1));
        if (n == 0) throw PolicyException.of(field, "0 is root inside the sandbox; use 1 or more (below id-count)");
        return (int) n;
    }

    static long hostIdBase(String field, String text, String shown) {
        long n = whole(field, text, shown, 0, HOST_ID_MAX, HOST_ID_BASE_MIN + " to " + HOST_ID_MAX);
        if (n < HOST_ID_BASE_MIN) {
            throw PolicyException.of(field, shown + " is too low; use " + HOST_ID_BASE_MIN
                    + " or more, so that no app id maps to host root or a system user");
        }
        return n;
    }

    static int idCount(String field, String text, String shown) {
        long n = whole(field, text, shown, 2, Integer.MAX_VALUE, "2 to " + Integer.MAX_VALUE);
        return (int) n;
    }

    /** {@code bytes} with the largest suffix that divides it (1048576 → 1M). */
    public static String sizeWord(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) return (bytes >> 30) + "G";
        if (bytes != 0 && bytes % (1L << 20) == 0) return (bytes >> 20) + "M";
        if (bytes != 0 && bytes % (1L << 10) == 0) return (bytes >> 10) + "K";
        return Long.toString(bytes);
    }

    private static long whole(String field, String text, String shown, long min, long max, String range) {
        Long n = digits(text);
        if (n == null) throw PolicyException.of(field, shown + " is not a whole number; use " + range);
        if (n < min || n > max) throw PolicyException.of(field, shown + " is out of range; use " + range);
        return n;
    }

    /** Plain decimal digits as a number; {@code null} for anything else, or when above 2^63-1. */
    private static Long digits(String text) {
        if (text.isEmpty() || text.length() > 19) return null;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') return null;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;   // 19 digits above Long.MAX_VALUE
        }
    }

    private static boolean ipv4InRange(String host) {
        for (String part : host.split("\\.")) {
            if (Integer.parseInt(part) > 255) return false;
        }
        return true;
    }

    private static boolean isIpv6(String host) {
        // Only hex digits, ':' and '.' reach InetAddress, so it parses a literal and never resolves a name.
        if (!IPV6_CHARS.matcher(host).matches()) return false;
        try {
            return InetAddress.getByName(host).getAddress().length == 16;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void noNul(String field, String text) {
        if (text.indexOf('\0') >= 0) throw PolicyException.of(field, quote(text) + " contains a NUL character");
    }

    private static Path toPath(String field, String text) {
        try {
            return Path.of(text).normalize();
        } catch (InvalidPathException e) {
            throw PolicyException.of(field, quote(text) + " is not a valid path: " + e.getReason());
        }
    }

    private static java.util.stream.Collector<CharSequence, ?, String> joiningOr() {
        return joiningLast(" or ");
    }

    private static java.util.stream.Collector<CharSequence, ?, String> joiningAnd() {
        return joiningLast(" and ");
    }

    private static java.util.stream.Collector<CharSequence, ?, String> joiningLast(String last) {
        return Collectors.collectingAndThen(Collectors.toList(), words -> {
            if (words.size() < 2) return String.join("", words);
            return String.join(", ", words.subList(0, words.size() - 1)) + last + words.get(words.size() - 1);
        });
    }

    private PolicyValues() {}
}
