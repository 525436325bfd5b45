package io.sandboxrun.core.policy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The kinds of setting values: how each is written in a policy file (its {@link Shape}), how its
 * text is parsed and checked (the same parser for a file, an option and a default, so all three
 * accept the same values and word their errors the same way) and how a value is written back.
 * A list or map setting holds values (or NAME=VALUE entries) of its kind.
 *
 * <p>Parsing and printing are switches rather than a lambda per constant: the table is read on
 * every cold start of the CLI, and each lambda costs class spinning there.
 */
public enum Kind {
    APP(Shape.STRING, "NAME", "an app name"),
    DIRECTORY(Shape.STRING, "DIR", "a directory, relative to the policy file's"),
    COMMAND(Shape.STRING, "WORD", "a list of words (e.g. [python3, app.py])"),
    ENV(Shape.ENTRIES, "K=V", "a mapping of NAME: \"value\""),
    SEARCH_PATH(Shape.STRING, "DIRS", "absolute directories separated by ':'"),
    HOSTNAME(Shape.STRING, "NAME", "a host name"),
    TMP_SIZE(Shape.SCALAR, "SIZE", "a size (e.g. 64M)"),
    LANDLOCK(Shape.WORD, "MODE", "off, best-effort or required"),
    LISTEN(Shape.STRING, "ADDR", "a list of addresses (e.g. [127.0.0.1:8080])"),
    /** Absolute in a policy file; on the command line relative paths start at the working directory. */
    RO_BIND(Shape.STRING, "PATH", "a list of absolute paths"),
    RLIMITS(Shape.ENTRIES, "NAME=V", "a mapping of rlimit: value (e.g. nofile: 1024)"),
    USER_ID(Shape.NUMBER, "ID", "a whole number"),
    HOST_ID_BASE(Shape.NUMBER, "ID", "a whole number"),
    ID_COUNT(Shape.NUMBER, "N", "a whole number"),
    ABSOLUTE_PATH(Shape.STRING, "DIR", "an absolute path"),
    SECCOMP(Shape.STRING, "PROFILE", "auto, default, python, strict or a JSON file"),
    CGROUP_MODE(Shape.WORD, "MODE", "off, best-effort or required"),
    CGROUP_ROOT(Shape.NULLABLE_STRING, "PATH", "an absolute cgroup path"),
    MEMORY(Shape.SCALAR, "SIZE", "a size (e.g. 256M) or max"),
    CPUS(Shape.SCALAR, "N", "a number of CPUs (e.g. 0.5) or max"),
    CPU_WEIGHT(Shape.NUMBER, "N", "a whole number"),
    PIDS(Shape.SCALAR, "N", "a whole number or max"),
    IO(Shape.MAPPING, "DEV:KEY=V[,KEY=V]", "a list of device throttles (e.g. [{device: \"8:0\", wbps: 10M}])"),
    DEVICE(Shape.STRING, "DEV", "MAJOR:MINOR or a block device's path"),
    IO_BYTES(Shape.SCALAR, "RATE", "a size per second (e.g. 10M) or max"),
    IO_OPS(Shape.SCALAR, "N", "a whole number or max"),
    OUTBOUND(Shape.WORD, "MODE", "proxy or none"),
    NET_RULE(Shape.STRING, "RULE", "a list of rules (e.g. [\"tcp:10.0.0.0/8:443\", \"host:api.example.com:443\"])"),
    DNS_UPSTREAM(Shape.NULLABLE_STRING, "ADDR", "a list of addresses (e.g. [192.0.2.53])"),
    FLAG(Shape.BOOLEAN, "", "true or false"),
    CONNECTIONS(Shape.NUMBER, "N", "a whole number"),
    CONCURRENT(Shape.NUMBER, "N", "a whole number"),
    OVER_LIMIT(Shape.WORD, "ACTION", "refuse or delay"),
    BANDWIDTH(Shape.SCALAR, "RATE", "a size per second (e.g. 10M) or unlimited"),
    AUDIT_LOG(Shape.NULLABLE_STRING, "FILE", "a file, relative to the policy file's directory"),
    TIME_LIMIT(Shape.SCALAR, "DURATION", "a duration (e.g. 30s, 5m, 1h30m; a bare number is seconds) or none"),
    STOP_TIMEOUT(Shape.SCALAR, "DURATION", "a duration (e.g. 10s; 0s: at once)");

    /** Longest time limit: a bound against typos (300d for 300s), not a policy. */
    static final java.time.Duration TIME_LIMIT_MAX = java.time.Duration.ofDays(365);
    static final java.time.Duration TIME_LIMIT_MIN = java.time.Duration.ofMillis(10);
    static final java.time.Duration STOP_TIMEOUT_MAX = java.time.Duration.ofHours(1);

    /** How a value of a kind is written in a policy file. */
    public enum Shape {
        /** A string; a number or boolean must be quoted to be one. */
        STRING,
        /** A string, or no value: the same as leaving the key out (for a list: an empty one). */
        NULLABLE_STRING,
        /** Any scalar's text: YAML reads {@code off} as a boolean, JSON writes {@code false}. */
        WORD,
        /** A string or a number (sizes, rates). */
        SCALAR,
        /** A number, unquoted. */
        NUMBER,
        /** true or false, unquoted. */
        BOOLEAN,
        /** A mapping of keys, read into a record. */
        MAPPING,
        /** A mapping of NAME: value entries. */
        ENTRIES
    }

    /**
     * Where relative paths start and which source a value comes from.
     *
     * @param dir    the policy file's directory, or the working directory for the command line
     * @param option whether the value is a command-line option's
     */
    public record Base(Path dir, boolean option) {}

    private final Shape shape;
    private final String label;
    private final String what;

    Kind(Shape shape, String label, String what) {
        this.shape = shape;
        this.label = label;
        this.what = what;
    }

    public Shape shape() { return shape; }

    /** The parameter label of an option of this kind ({@code SIZE}). */
    public String label() { return label; }

    /** What a value of this kind is, for messages and docs ({@code a size (e.g. 64M)}). */
    public String what() { return what; }

    /**
     * Parses one value (a NAME=VALUE entry for the map kinds) written as {@code text}, shown in an
     * error as {@code shown} (quoted for a string, bare for a number of a policy file).
     *
     * @throws PolicyException naming {@code field}, without a location
     */
    public Object parse(String field, String text, String shown, Base base) {
        return switch (this) {
            case APP -> PolicyValues.appName(field, text);
            case DIRECTORY -> PolicyValues.hostPath(field, text, base.dir());
            case COMMAND -> PolicyValues.commandWord(field, text);
            case ENV -> PolicyValues.envEntry(field, text);
            case SEARCH_PATH -> PolicyValues.searchPath(field, text);
            case HOSTNAME -> PolicyValues.hostname(field, text);
            case TMP_SIZE -> PolicyValues.tmpSize(field, text, shown);
            case LANDLOCK -> PolicyValues.landlock(field, text);
            case LISTEN -> PolicyValues.listen(field, text);
            case RO_BIND -> base.option() ? PolicyValues.bindPath(field, text, base.dir()) : PolicyValues.absolutePath(field, text);
            case RLIMITS -> PolicyValues.rlimit(field, text);
            case USER_ID -> PolicyValues.userId(field, text, shown);
            case HOST_ID_BASE -> PolicyValues.hostIdBase(field, text, shown);
            case ID_COUNT -> PolicyValues.idCount(field, text, shown);
            case ABSOLUTE_PATH -> PolicyValues.absolutePath(field, text);
            case SECCOMP -> PolicyValues.seccomp(field, text, base.dir());
            case CGROUP_MODE -> CgroupValues.mode(field, text);
            case CGROUP_ROOT -> CgroupValues.root(field, text);
            case MEMORY -> CgroupValues.memory(field, text, shown);
            case CPUS -> CgroupValues.cpus(field, text, shown);
            case CPU_WEIGHT -> CgroupValues.cpuWeight(field, text, shown);
            case PIDS -> CgroupValues.pids(field, text, shown);
            case IO -> CgroupValues.ioMax(field, text);
            case DEVICE -> CgroupValues.deviceNumber(field, text);
            case IO_BYTES -> CgroupValues.ioRate(field, true, text, shown);
            case IO_OPS -> CgroupValues.ioRate(field, false, text, shown);
            case OUTBOUND -> NetValues.outbound(field, text);
            case NET_RULE -> NetValues.rule(field, text);
            case DNS_UPSTREAM -> NetValues.dnsUpstream(field, text);
            case FLAG -> Boolean.parseBoolean(text);
            case CONNECTIONS -> NetValues.connectionsPerSecond(field, text, shown);
            case CONCURRENT -> NetValues.concurrent(field, text, shown);
            case OVER_LIMIT -> NetValues.overLimit(field, text);
            case BANDWIDTH -> NetValues.bandwidth(field, text, shown);
            case AUDIT_LOG -> NetValues.auditLog(field, text, base.dir());
            case TIME_LIMIT -> Durations.limit(field, text, shown, TIME_LIMIT_MIN, TIME_LIMIT_MAX);
            case STOP_TIMEOUT -> Durations.within(field, text, shown, java.time.Duration.ZERO, STOP_TIMEOUT_MAX, Durations.hint());
        };
    }

    /** Parses {@code text}, quoted in an error. */
    public Object parse(String field, String text, Base base) {
        return parse(field, text, PolicyValues.quote(text), base);
    }

    /**
     * Checks a value of a {@link Shape#MAPPING} kind as a whole, once each of its keys was parsed on
     * its own: what no single key shows. Other kinds' values pass as they are.
     *
     * @throws PolicyException naming {@code field}, without a location
     */
    public Object checkWhole(String field, Object value) {
        return this == IO ? CgroupValues.ioLimit(field, (IoLimit) value) : value;
    }

    /** {@code value} as written in a policy file or on the command line; {@link #parse} reads it back. */
    public String print(Object v) {
        return switch (this) {
            case TMP_SIZE -> PolicyValues.sizeWord((Long) v);
            case LANDLOCK -> ((LandlockMode) v).word();
            case RLIMITS -> rlimitEntry((Map.Entry<?, ?>) v);
            case CGROUP_MODE -> ((CgroupPolicy.Mode) v).word();
            case MEMORY, IO_BYTES -> CgroupValues.word((Long) v, true);
            case PIDS, IO_OPS -> CgroupValues.word((Long) v, false);
            case CPUS -> CgroupValues.cpusWord((Integer) v);
            case IO -> ((IoLimit) v).text();
            case OUTBOUND -> ((NetworkPolicy.Outbound) v).word();
            case NET_RULE -> ((NetRule) v).text();
            case DNS_UPSTREAM -> NetValues.upstreamWord((InetSocketAddress) v);
            case OVER_LIMIT -> ((NetworkPolicy.OverLimit) v).word();
            case BANDWIDTH -> NetValues.bandwidthWord((Long) v);
            case TIME_LIMIT -> Durations.word((java.time.Duration) v);
            case STOP_TIMEOUT -> ((java.time.Duration) v).isZero() ? "0s" : Durations.word((java.time.Duration) v);
            default -> String.valueOf(v);
        };
    }

    private static String rlimitEntry(Map.Entry<?, ?> e) {
        RlimitValue v = (RlimitValue) e.getValue();
        String soft = RlimitValue.word(v.soft());
        return ((Rlimit) e.getKey()).word() + "=" + (v.soft() == v.hard() ? soft : soft + ":" + RlimitValue.word(v.hard()));
    }
}
