package io.sandboxrun.core.policy;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one policy file into an overlay by walking the parser's tokens, checking each value where
 * it stands so that every error carries the file, line and column of the offending key or value.
 */
final class PolicyReader {
    private static final List<String> KEYS = List.of("app", "app-root", "cgroup", "command", "env", "hostname",
            "instance-limits", "landlock", "limits", "listen", "network", "path", "rlimits", "ro-binds", "seccomp", "state-dir",
            "tmp-size", "user");
    private static final List<String> USER_KEYS = List.of("gid", "host-id-base", "id-count", "uid");
    private static final List<String> RLIMIT_KEYS = List.of("hard", "soft");
    private static final List<String> CGROUP_KEYS = List.of("mode", "root");
    private static final List<String> LIMIT_KEYS = List.of("cpu-weight", "cpus", "io", "memory", "memory-high", "pids");
    private static final List<String> IO_KEYS = List.of("device", "rbps", "riops", "wbps", "wiops");
    private static final List<String> NETWORK_KEYS = List.of("allow", "audit-log", "dns", "outbound", "rates");
    private static final List<String> DNS_KEYS = List.of("any-name", "upstream");
    private static final List<String> RATE_KEYS = List.of("bandwidth-in", "bandwidth-out", "burst", "concurrent",
            "connections-per-second", "over-limit");
    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]");

    private final JsonParser parser;
    private final String source;
    private final String format;
    private final Path baseDir;
    private final PolicyOverlay.Builder overlay;

    /** @param baseDir what a relative app-root, seccomp or audit-log is relative to: the file's directory */
    PolicyReader(JsonParser parser, String source, String format, Path baseDir) {
        this.parser = parser;
        this.source = source;
        this.format = format;
        this.baseDir = baseDir;
        this.overlay = PolicyOverlay.builder(source);
    }

    PolicyOverlay read() {
        JsonToken t = next();
        if (t == null || t == JsonToken.VALUE_NULL) throw new PolicyException(source, 0, 0, null, "empty policy file");
        if (t != JsonToken.START_OBJECT) {
            throw error(loc(), null, "the top level must be a mapping of keys (e.g. app: hello), not " + kind());
        }
        mapping(null, KEYS, this::topLevel);
        if (next() != null) {
            throw error(loc(), null, "more content after the policy; a policy file holds one mapping");
        }
        return overlay.build();
    }

    private void topLevel(String key, Loc keyLoc) {
        Loc at = loc();
        PolicyOrigin origin = origin(at, key);
        switch (key) {
            case "app" -> overlay.app(checked(at, () -> PolicyValues.appName(key, string(key))), origin);
            case "app-root" -> overlay.appRoot(checked(at, () -> PolicyValues.hostPath(key, string(key), baseDir)), origin);
            case "command" -> overlay.command(command(at), origin);
            case "env" -> env(origin);
            case "path" -> overlay.path(checked(at, () -> PolicyValues.searchPath(key, string(key))), origin);
            case "hostname" -> overlay.hostname(checked(at, () -> PolicyValues.hostname(key, string(key))), origin);
            case "tmp-size" -> overlay.tmpSize(checked(at, () -> scalar(key, "a size (e.g. 64M)",
                    (text, shown) -> PolicyValues.tmpSize(key, text, shown))), origin);
            case "landlock" -> overlay.landlock(checked(at, () -> PolicyValues.landlock(key, word(key))), origin);
            case "listen" -> listen(origin);
            case "ro-binds" -> roBinds(origin);
            case "rlimits" -> rlimits(origin);
            case "user" -> user(origin);
            case "seccomp" -> overlay.seccomp(checked(at, () -> PolicyValues.seccomp(key, string(key), baseDir)), origin);
            case "state-dir" -> overlay.stateDir(checked(at, () -> PolicyValues.absolutePath(key, string(key))), origin);
            case "cgroup" -> cgroup(origin);
            case "limits" -> limits(PolicyOverlay.Scope.APP, origin);
            case "instance-limits" -> limits(PolicyOverlay.Scope.INSTANCE, origin);
            case "network" -> network(origin);
            default -> throw new IllegalStateException("key list and switch disagree: " + key);
        }
    }

    private List<String> command(Loc at) {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            String text = text();
            throw error(at, "command", PolicyValues.quote(text) + " is a single string; use a list of words, e.g. ["
                    + String.join(", ", text.trim().split("\\s+")) + "]");
        }
        List<String> words = list("command", "a list of words (e.g. [python3, app.py])",
                f -> checked(loc(), () -> PolicyValues.commandWord(f, string(f))));
        return checked(at, () -> PolicyValues.command("command", words));
    }

    private void env(PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, "env", "a mapping of NAME: \"value\"");
        overlay.env(Map.of(), origin);
        mapping("env", null, (key, keyLoc) -> {
            String name = checked(keyLoc, () -> PolicyValues.envName("env", key));
            String field = "env." + name;
            Loc at = loc();
            overlay.envVar(name, checked(at, () -> PolicyValues.envValue(field, string(field))), origin(at, field));
        });
    }

    private void listen(PolicyOrigin origin) {
        overlay.listen(List.of(), origin);
        list("listen", "a list of addresses (e.g. [127.0.0.1:8080])", f -> {
            Loc at = loc();
            ListenAddress a = checked(at, () -> PolicyValues.listen(f, string(f)));
            overlay.addListen(a, origin(at, f));
            return a;
        });
    }

    private void roBinds(PolicyOrigin origin) {
        overlay.roBinds(List.of(), origin);
        list("ro-binds", "a list of absolute paths", f -> {
            Loc at = loc();
            Path p = checked(at, () -> PolicyValues.absolutePath(f, string(f)));
            overlay.addRoBind(p, origin(at, f));
            return p;
        });
    }

    private void rlimits(PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, "rlimits", "a mapping of rlimit: value (e.g. nofile: 1024)");
        overlay.rlimits(Map.of(), origin);
        mapping("rlimits", null, (key, keyLoc) -> {
            Rlimit r = checked(keyLoc, () -> PolicyValues.rlimitName("rlimits", key));
            String field = "rlimits." + key;
            Loc at = loc();
            overlay.rlimit(r, rlimitValue(field, r, at), origin(at, field));
        });
    }

    private RlimitValue rlimitValue(String field, Rlimit r, Loc at) {
        if (parser.currentToken() != JsonToken.START_OBJECT) return RlimitValue.of(amount(field, r));
        long[] softHard = {Long.MIN_VALUE, Long.MIN_VALUE};
        mapping(field, RLIMIT_KEYS, (key, keyLoc) -> softHard[key.equals("soft") ? 0 : 1] = amount(field + "." + key, r));
        if (softHard[0] == Long.MIN_VALUE || softHard[1] == Long.MIN_VALUE) {
            throw error(at, field, "give both soft and hard (e.g. {soft: 1024, hard: 4096}), or one value for both");
        }
        return checked(at, () -> PolicyValues.rlimitValue(field, softHard[0], softHard[1]));
    }

    private long amount(String field, Rlimit r) {
        return checked(loc(), () -> scalar(field, "a number, a size or unlimited",
                (text, shown) -> PolicyValues.rlimitAmount(field, r, text, shown)));
    }

    private void user(PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, "user", "a mapping of uid, gid, host-id-base, id-count");
        overlay.origin("user", origin);
        mapping("user", USER_KEYS, (key, keyLoc) -> {
            String field = "user." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, field);
            switch (key) {
                case "uid" -> overlay.uid(number(field, (t, s) -> PolicyValues.userId(field, t, s)), o);
                case "gid" -> overlay.gid(number(field, (t, s) -> PolicyValues.userId(field, t, s)), o);
                case "host-id-base" -> overlay.hostIdBase(number(field, (t, s) -> PolicyValues.hostIdBase(field, t, s)), o);
                case "id-count" -> overlay.idCount(number(field, (t, s) -> PolicyValues.idCount(field, t, s)), o);
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private void cgroup(PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, "cgroup", "a mapping of mode, root (e.g. {mode: required})");
        overlay.origin("cgroup", origin);
        mapping("cgroup", CGROUP_KEYS, (key, keyLoc) -> {
            String field = "cgroup." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, field);
            switch (key) {
                case "mode" -> overlay.cgroupMode(checked(at, () -> CgroupValues.mode(field, word(field))), o);
                // No value is the default root, a child of the launcher's own cgroup.
                case "root" -> {
                    if (parser.currentToken() == JsonToken.VALUE_NULL) overlay.origin(field, o);
                    else overlay.cgroupRoot(checked(at, () -> CgroupValues.root(field, string(field))), o);
                }
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private void limits(PolicyOverlay.Scope scope, PolicyOrigin origin) {
        String k = scope.key();
        expect(JsonToken.START_OBJECT, k, "a mapping of memory, memory-high, cpus, cpu-weight, pids, io");
        overlay.limits(scope, Limits.none(), origin);
        mapping(k, LIMIT_KEYS, (key, keyLoc) -> {
            String field = k + "." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, field);
            Limits none = Limits.none();
            switch (key) {
                case "memory" -> overlay.limits(scope, none.withMemory(checked(at, () -> scalar(field,
                        "a size (e.g. 256M) or max", (t, shown) -> CgroupValues.memory(field, t, shown)))), o);
                case "memory-high" -> overlay.limits(scope, none.withMemoryHigh(checked(at, () -> scalar(field,
                        "a size (e.g. 200M) or max", (t, shown) -> CgroupValues.memory(field, t, shown)))), o);
                case "cpus" -> overlay.limits(scope, none.withCpuMillis(checked(at, () -> scalar(field,
                        "a number of CPUs (e.g. 0.5) or max", (t, shown) -> CgroupValues.cpus(field, t, shown)))), o);
                case "cpu-weight" -> overlay.limits(scope, none.withCpuWeight(
                        number(field, (t, shown) -> CgroupValues.cpuWeight(field, t, shown))), o);
                case "pids" -> overlay.limits(scope, none.withPids(checked(at, () -> scalar(field,
                        "a whole number or max", (t, shown) -> CgroupValues.pids(field, t, shown)))), o);
                case "io" -> io(scope, field, o);
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private void io(PolicyOverlay.Scope scope, String field, PolicyOrigin origin) {
        overlay.limits(scope, Limits.none().withIo(List.of()), origin);
        list(field, "a list of device throttles (e.g. [{device: \"8:0\", wbps: 10M}])", f -> {
            Loc at = loc();
            expect(JsonToken.START_OBJECT, f, "a mapping of device and rbps, wbps, riops or wiops");
            int[][] device = {null};
            Long[] rates = new Long[CgroupValues.IO_KEYS.size()];
            mapping(f, IO_KEYS, (key, keyLoc) -> {
                String kf = f + "." + key;
                Loc vat = loc();
                if (key.equals("device")) {
                    device[0] = checked(vat, () -> CgroupValues.device(kf, string(kf)));
                } else {
                    String what = key.endsWith("bps") ? "a size per second (e.g. 10M) or max" : "a whole number or max";
                    rates[CgroupValues.IO_KEYS.indexOf(key)] = checked(vat, () -> scalar(kf, what,
                            (t, shown) -> CgroupValues.ioRate(kf, key, t, shown)));
                }
            });
            if (device[0] == null) {
                throw error(at, f, "no device; give device: \"MAJOR:MINOR\" (e.g. \"8:0\") or the path of a block device");
            }
            if (Arrays.stream(rates).allMatch(r -> r == null)) {
                throw error(at, f, "no rate; give at least one of rbps, wbps, riops, wiops (e.g. wbps: 10M)");
            }
            IoLimit io = new IoLimit(device[0][0], device[0][1], rates[0], rates[1], rates[2], rates[3]);
            overlay.addIo(scope, io, origin(at, f));
            return io;
        });
    }

    private void network(PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, "network", "a mapping of outbound, allow, dns, rates, audit-log");
        overlay.origin("network", origin);
        mapping("network", NETWORK_KEYS, (key, keyLoc) -> {
            String field = "network." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, field);
            switch (key) {
                case "allow" -> {
                    overlay.allow(List.of(), o);
                    list(field, "a list of rules (e.g. [\"tcp:10.0.0.0/8:443\", \"host:api.example.com:443\"])", f -> {
                        Loc rat = loc();
                        NetRule r = checked(rat, () -> NetValues.rule(f, string(f)));
                        overlay.addAllow(r, origin(rat, f));
                        return r;
                    });
                }
                case "dns" -> dns(field, o);
                case "outbound" -> overlay.outbound(checked(at, () -> NetValues.outbound(field, word(field))), o);
                case "rates" -> rates(field, o);
                // No value is the default: no audit log.
                case "audit-log" -> {
                    if (parser.currentToken() == JsonToken.VALUE_NULL) overlay.origin(field, o);
                    else overlay.auditLog(checked(at, () -> NetValues.auditLog(field, string(field), baseDir)), o);
                }
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private void dns(String field, PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, field, "a mapping of upstream, any-name (e.g. {upstream: [192.0.2.53]})");
        overlay.origin(field, origin);
        mapping(field, DNS_KEYS, (key, keyLoc) -> {
            String kf = field + "." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, kf);
            switch (key) {
                // No value, like [], is the host's resolvers.
                case "upstream" -> {
                    overlay.dnsUpstream(List.of(), o);
                    if (parser.currentToken() != JsonToken.VALUE_NULL) {
                        list(kf, "a list of resolver addresses (e.g. [192.0.2.53, \"[2001:db8::53]:5353\"])", f -> {
                            Loc uat = loc();
                            var a = checked(uat, () -> NetValues.dnsUpstream(f, string(f)));
                            overlay.addDnsUpstream(a, origin(uat, f));
                            return a;
                        });
                    }
                }
                case "any-name" -> overlay.dnsAnyName(bool(kf), o);
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private void rates(String field, PolicyOrigin origin) {
        expect(JsonToken.START_OBJECT, field, "a mapping of connections-per-second, burst, over-limit, concurrent,"
                + " bandwidth-in, bandwidth-out");
        overlay.origin(field, origin);
        mapping(field, RATE_KEYS, (key, keyLoc) -> {
            String kf = field + "." + key;
            Loc at = loc();
            PolicyOrigin o = origin(at, kf);
            switch (key) {
                case "connections-per-second" -> overlay.connectionsPerSecond(
                        number(kf, (t, shown) -> NetValues.connectionsPerSecond(kf, t, shown)), o);
                case "burst" -> overlay.burst(number(kf, (t, shown) -> NetValues.burst(kf, t, shown)), o);
                case "over-limit" -> overlay.overLimit(checked(at, () -> NetValues.overLimit(kf, word(kf))), o);
                case "concurrent" -> overlay.concurrent(number(kf, (t, shown) -> NetValues.concurrent(kf, t, shown)), o);
                case "bandwidth-in" -> overlay.bandwidthIn(bandwidth(kf, at), o);
                case "bandwidth-out" -> overlay.bandwidthOut(bandwidth(kf, at), o);
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
    }

    private long bandwidth(String field, Loc at) {
        return checked(at, () -> scalar(field, "a size per second (e.g. 10M) or unlimited",
                (t, shown) -> NetValues.bandwidth(field, t, shown)));
    }

    // ---- token walking ----

    /** Reads the entries of the mapping whose START_OBJECT is the current token, through its END_OBJECT. */
    private void mapping(String field, List<String> known, Entry entry) {
        Set<String> seen = new HashSet<>();
        while (next() == JsonToken.FIELD_NAME) {
            String key = text();
            Loc keyLoc = loc();
            String path = field == null ? key : field + "." + key;
            if (!seen.add(key)) throw error(keyLoc, null, "duplicate key " + PolicyValues.quote(path));
            if (known != null && !known.contains(key)) {
                throw error(keyLoc, null, "unknown key " + PolicyValues.quote(path) + "; known keys"
                        + (field == null ? "" : " in " + field) + ": " + String.join(", ", known));
            }
            next();
            entry.read(key, keyLoc);
        }
    }

    /** Reads the list whose START_ARRAY is the current token; {@code element} reads one element. */
    private <T> List<T> list(String field, String what, Function<String, T> element) {
        expect(JsonToken.START_ARRAY, field, what);
        List<T> out = new ArrayList<>();
        while (next() != JsonToken.END_ARRAY) out.add(element.apply(field + "[" + out.size() + "]"));
        return out;
    }

    /** The current token as a string; numbers and booleans must be quoted to be strings. */
    private String string(String field) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) return text();
        if (t != null && t.isScalarValue() && t != JsonToken.VALUE_NULL && t != JsonToken.VALUE_EMBEDDED_OBJECT) {
            String text = text();
            throw error(loc(), field, text + " is a " + (t.isNumeric() ? "number" : "boolean") + "; quote it ("
                    + PolicyValues.quote(text) + ")");
        }
        throw expected(field, "a string");
    }

    /** A word such as a landlock mode: YAML reads {@code off} as a boolean, so take any scalar's text. */
    private String word(String field) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING || t.isNumeric() || t.isBoolean()) return text();
        throw expected(field, "a word");
    }

    /** A boolean written as one: true or false, not quoted. */
    private boolean bool(String field) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) return t == JsonToken.VALUE_TRUE;
        if (t == JsonToken.VALUE_STRING) {
            throw error(loc(), field, PolicyValues.quote(text()) + " is not a boolean; use true or false, without quotes");
        }
        throw expected(field, "true or false");
    }

    /** A scalar that may be written as a number or a string (sizes, rlimit amounts). */
    private <T> T scalar(String field, String what, Parse<T> parse) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) return parse.apply(text(), PolicyValues.quote(text()));
        if (t.isNumeric()) return parse.apply(text(), text());
        throw expected(field, what);
    }

    /** A whole number written as a number. */
    private <T> T number(String field, Parse<T> parse) {
        Loc at = loc();
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            throw error(at, field, PolicyValues.quote(text()) + " is a string; write the number without quotes");
        }
        if (!t.isNumeric()) throw expected(field, "a whole number");
        return checked(at, () -> parse.apply(text(), text()));
    }

    private void expect(JsonToken token, String field, String what) {
        if (parser.currentToken() != token) throw expected(field, what);
    }

    private PolicyException expected(String field, String what) {
        return error(loc(), field, "expected " + what + ", got " + kind());
    }

    /** The current token described for a message: {@code a list}, {@code a string "x"}, ... */
    private String kind() {
        JsonToken t = parser.currentToken();
        return switch (t) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "a mapping";
            case VALUE_STRING -> "a string " + PolicyValues.quote(text());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number " + text();
            case VALUE_TRUE, VALUE_FALSE -> "a boolean " + text();
            case VALUE_NULL -> "no value";
            default -> "an unsupported value";
        };
    }

    private String text() {
        try {
            return parser.getText();
        } catch (IOException e) {
            throw error(loc(), null, "cannot read value: " + e.getMessage());
        }
    }

    private JsonToken next() {
        try {
            JsonToken t = parser.nextToken();
            // Jackson reads an alias as a string holding the anchor's name: refuse it rather than misread it.
            if (parser instanceof YAMLParser y && y.isCurrentAlias()) {
                throw error(loc(), null, "YAML aliases (*" + y.getText() + ") are not supported; write the value out");
            }
            return t;
        } catch (StreamReadException e) {
            throw syntaxError(e);
        } catch (IOException e) {
            throw new PolicyException(source, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    private PolicyException syntaxError(StreamReadException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException y) {
                Mark m = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
                String problem = y.getProblem() != null ? y.getProblem() : y.getContext();
                if (m != null && problem != null) {
                    Mark cm = y.getContextMark();
                    String context = y.getProblem() != null && y.getContext() != null && cm != null
                            ? " (" + firstLine(y.getContext()) + " started at " + (cm.getLine() + 1) + ":"
                              + (cm.getColumn() + 1) + ")"
                            : "";
                    return new PolicyException(source, m.getLine() + 1, m.getColumn() + 1, null,
                            "invalid " + format + ": " + firstLine(problem) + context);
                }
            }
        }
        JsonLocation l = e.getLocation();
        String reason = JACKSON_SOURCE.matcher(firstLine(e.getOriginalMessage())).replaceAll("$1:$2");
        return l == null ? new PolicyException(source, 0, 0, null, "invalid " + format + ": " + reason)
                : new PolicyException(source, l.getLineNr(), l.getColumnNr(), null, "invalid " + format + ": " + reason);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** Runs a value check; an error from it gets the location {@code at}. */
    private <T> T checked(Loc at, Supplier<T> check) {
        try {
            return check.get();
        } catch (PolicyException e) {
            throw e.at(source, at.line, at.column);
        }
    }

    private Loc loc() {
        JsonLocation l = parser.currentTokenLocation();
        return new Loc(l.getLineNr(), l.getColumnNr());
    }

    private PolicyOrigin origin(Loc at, String field) {
        return new PolicyOrigin(source, at.line, at.column, field);
    }

    private PolicyException error(Loc at, String field, String detail) {
        return new PolicyException(source, at.line, at.column, field, detail);
    }

    private record Loc(int line, int column) {}

    @FunctionalInterface
    private interface Entry {
        /** Reads the value of {@code key}; the parser stands on the value's first token. */
        void read(String key, Loc keyLoc);
    }

    @FunctionalInterface
    private interface Parse<T> {
        /** Parses {@code text}, showing it as {@code shown} in an error. */
        T apply(String text, String shown);
    }
}
