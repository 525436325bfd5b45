package io.sandboxrun.core.policy;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/**
 * The kinds of setting values: how each is written in a policy file (its {@link Shape}), how its
 * text is parsed and checked (the same parser for a file, an option and a default, so all three
 * accept the same values and word their errors the same way) and how a value is written back.
 * A list or map setting holds values (or NAME=VALUE entries) of its kind.
 */
public enum Kind {
    APP(Shape.STRING, "NAME", "an app name", (f, t, s, b) -> PolicyValues.appName(f, t)),
    DIRECTORY(Shape.STRING, "DIR", "a directory, relative to the policy file's", (f, t, s, b) -> PolicyValues.hostPath(f, t, b.dir())),
    COMMAND(Shape.STRING, "WORD", "a list of words (e.g. [python3, app.py])", (f, t, s, b) -> PolicyValues.commandWord(f, t)),
    ENV(Shape.ENTRIES, "K=V", "a mapping of NAME: \"value\"", (f, t, s, b) -> PolicyValues.envEntry(f, t)),
    SEARCH_PATH(Shape.STRING, "DIRS", "absolute directories separated by ':'", (f, t, s, b) -> PolicyValues.searchPath(f, t)),
    HOSTNAME(Shape.STRING, "NAME", "a host name", (f, t, s, b) -> PolicyValues.hostname(f, t)),
    TMP_SIZE(Shape.SCALAR, "SIZE", "a size (e.g. 64M)", (f, t, s, b) -> PolicyValues.tmpSize(f, t, s), v -> PolicyValues.sizeWord((Long) v)),
    LANDLOCK(Shape.WORD, "MODE", "off, best-effort or required", (f, t, s, b) -> PolicyValues.landlock(f, t),
            v -> ((LandlockMode) v).word()),
    LISTEN(Shape.STRING, "ADDR", "a list of addresses (e.g. [127.0.0.1:8080])", (f, t, s, b) -> PolicyValues.listen(f, t)),
    /** Absolute in a policy file; on the command line relative paths start at the working directory. */
    RO_BIND(Shape.STRING, "PATH", "a list of absolute paths",
            (f, t, s, b) -> b.option() ? PolicyValues.hostPath(f, t, b.dir()) : PolicyValues.absolutePath(f, t)),
    RLIMITS(Shape.ENTRIES, "NAME=V", "a mapping of rlimit: value (e.g. nofile: 1024)", (f, t, s, b) -> PolicyValues.rlimit(f, t),
            v -> rlimitEntry((Map.Entry<?, ?>) v)),
    USER_ID(Shape.NUMBER, "ID", "a whole number", (f, t, s, b) -> PolicyValues.userId(f, t, s)),
    HOST_ID_BASE(Shape.NUMBER, "ID", "a whole number", (f, t, s, b) -> PolicyValues.hostIdBase(f, t, s)),
    ID_COUNT(Shape.NUMBER, "N", "a whole number", (f, t, s, b) -> PolicyValues.idCount(f, t, s)),
    ABSOLUTE_PATH(Shape.STRING, "DIR", "an absolute path", (f, t, s, b) -> PolicyValues.absolutePath(f, t)),
    SECCOMP(Shape.STRING, "PROFILE", "auto, default, python, strict or a JSON file",
            (f, t, s, b) -> PolicyValues.seccomp(f, t, b.dir())),
    CGROUP_MODE(Shape.WORD, "MODE", "off, best-effort or required", (f, t, s, b) -> CgroupValues.mode(f, t),
            v -> ((CgroupPolicy.Mode) v).word()),
    CGROUP_ROOT(Shape.NULLABLE_STRING, "PATH", "an absolute cgroup path", (f, t, s, b) -> CgroupValues.root(f, t)),
    MEMORY(Shape.SCALAR, "SIZE", "a size (e.g. 256M) or max", (f, t, s, b) -> CgroupValues.memory(f, t, s), v -> CgroupValues.word((Long) v, true)),
    CPUS(Shape.SCALAR, "N", "a number of CPUs (e.g. 0.5) or max", (f, t, s, b) -> CgroupValues.cpus(f, t, s), v -> CgroupValues.cpusWord((Integer) v)),
    CPU_WEIGHT(Shape.NUMBER, "N", "a whole number", (f, t, s, b) -> CgroupValues.cpuWeight(f, t, s)),
    PIDS(Shape.SCALAR, "N", "a whole number or max", (f, t, s, b) -> CgroupValues.pids(f, t, s), v -> CgroupValues.word((Long) v, false)),
    IO(Shape.MAPPING, "DEV:KEY=V[,KEY=V]", "a list of device throttles (e.g. [{device: \"8:0\", wbps: 10M}])",
            (f, t, s, b) -> CgroupValues.ioMax(f, t), v -> ((IoLimit) v).text()),
    DEVICE(Shape.STRING, "DEV", "MAJOR:MINOR or a block device's path", (f, t, s, b) -> CgroupValues.deviceNumber(f, t)),
    IO_BYTES(Shape.SCALAR, "RATE", "a size per second (e.g. 10M) or max", (f, t, s, b) -> CgroupValues.ioRate(f, true, t, s),
            v -> CgroupValues.word((Long) v, true)),
    IO_OPS(Shape.SCALAR, "N", "a whole number or max", (f, t, s, b) -> CgroupValues.ioRate(f, false, t, s),
            v -> CgroupValues.word((Long) v, false)),
    OUTBOUND(Shape.WORD, "MODE", "proxy or none", (f, t, s, b) -> NetValues.outbound(f, t), v -> ((NetworkPolicy.Outbound) v).word()),
    NET_RULE(Shape.STRING, "RULE", "a list of rules (e.g. [\"tcp:10.0.0.0/8:443\", \"host:api.example.com:443\"])",
            (f, t, s, b) -> NetValues.rule(f, t), v -> ((NetRule) v).text()),
    DNS_UPSTREAM(Shape.NULLABLE_STRING, "ADDR", "a list of addresses (e.g. [192.0.2.53])", (f, t, s, b) -> NetValues.dnsUpstream(f, t),
            v -> NetValues.upstreamWord((java.net.InetSocketAddress) v)),
    FLAG(Shape.BOOLEAN, "", "true or false", (f, t, s, b) -> Boolean.parseBoolean(t)),
    CONNECTIONS(Shape.NUMBER, "N", "a whole number", (f, t, s, b) -> NetValues.connectionsPerSecond(f, t, s)),
    CONCURRENT(Shape.NUMBER, "N", "a whole number", (f, t, s, b) -> NetValues.concurrent(f, t, s)),
    OVER_LIMIT(Shape.WORD, "ACTION", "refuse or delay", (f, t, s, b) -> NetValues.overLimit(f, t),
            v -> ((NetworkPolicy.OverLimit) v).word()),
    BANDWIDTH(Shape.SCALAR, "RATE", "a size per second (e.g. 10M) or unlimited", (f, t, s, b) -> NetValues.bandwidth(f, t, s),
            v -> NetValues.bandwidthWord((Long) v)),
    AUDIT_LOG(Shape.NULLABLE_STRING, "FILE", "a file, relative to the policy file's directory",
            (f, t, s, b) -> NetValues.auditLog(f, t, b.dir()));

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

    @FunctionalInterface
    interface Parser {
        /** Parses {@code text}, naming {@code field} and showing the value as {@code shown} in an error. */
        Object parse(String field, String text, String shown, Base base);
    }

    private final Shape shape;
    private final String label;
    private final String what;
    private final Parser parser;
    private final Function<Object, String> printer;

    Kind(Shape shape, String label, String what, Parser parser) {
        this(shape, label, what, parser, String::valueOf);
    }

    Kind(Shape shape, String label, String what, Parser parser, Function<Object, String> printer) {
        this.shape = shape;
        this.label = label;
        this.what = what;
        this.parser = parser;
        this.printer = printer;
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
        return parser.parse(field, text, shown, base);
    }

    /** Parses {@code text}, quoted in an error. */
    public Object parse(String field, String text, Base base) {
        return parse(field, text, PolicyValues.quote(text), base);
    }

    /** {@code value} as written in a policy file or on the command line; {@link #parse} reads it back. */
    public String print(Object value) {
        return printer.apply(value);
    }

    private static String rlimitEntry(Map.Entry<?, ?> e) {
        RlimitValue v = (RlimitValue) e.getValue();
        String soft = RlimitValue.word(v.soft());
        return ((Rlimit) e.getKey()).word() + "=" + (v.soft() == v.hard() ? soft : soft + ":" + RlimitValue.word(v.hard()));
    }
}
