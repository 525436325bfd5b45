package io.sandboxrun.seccomp;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one OCI seccomp profile by walking the JSON tokens, checking each value where it stands so
 * that every error carries the source, line and column, the JSON path, the value and what is
 * allowed.
 */
final class ProfileReader {
    static final List<String> TOP_KEYS = List.of("architectures", "archMap", "defaultAction", "defaultErrnoRet",
            "flags", "listenerMetadata", "listenerPath", "syscalls");
    static final List<String> RULE_KEYS = List.of("action", "args", "comment", "errnoRet", "excludes", "includes",
            "name", "names");
    static final List<String> ARG_KEYS = List.of("index", "op", "value", "valueTwo");
    static final List<String> SELECTOR_KEYS = List.of("arches", "caps", "minKernel");
    static final List<String> ARCH_MAP_KEYS = List.of("architecture", "subArchitectures");
    /** libseccomp's architecture names (seccomp.h SCMP_ARCH_*). */
    static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64",
            "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC",
            "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
            "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64");
    private static final String ARCH_HINT = "a libseccomp name such as SCMP_ARCH_X86_64, SCMP_ARCH_X86, SCMP_ARCH_X32 or"
            + " SCMP_ARCH_AARCH64 (seccomp_arch_add(3) lists them all)";
    /** The OCI runtime-spec's seccomp flags (linux/seccomp.h SECCOMP_FILTER_FLAG_*). */
    static final List<String> FLAGS = List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    private static final List<String> ACTION_NAMES = Action.NAMES.keySet().stream().sorted().toList();
    private static final List<String> OP_NAMES = Comparison.NAMES.keySet().stream().sorted().toList();
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]");

    private final JsonParser parser;
    private final String source;
    /** Where each {@code syscalls[i]} entry starts, for errors found after reading (rule conflicts). */
    private final List<Loc> entryLocations = new ArrayList<>();

    ProfileReader(JsonParser parser, String source) {
        this.parser = parser;
        this.source = source;
    }

    /** A position in the source. */
    record Loc(int line, int column) {}

    /** Where {@code syscalls[i]} starts. */
    Loc entryLocation(int i) { return entryLocations.get(i); }

    Profile read() {
        JsonToken t = next();
        if (t == null) throw new ProfileException(source, 0, 0, null, "empty profile file");
        Loc top = loc();
        if (t != JsonToken.START_OBJECT) {
            throw error(top, null, "the top level must be an object with \"defaultAction\" and \"syscalls\", not " + kind());
        }
        Top p = new Top();
        mapping(null, TOP_KEYS, (key, keyLoc) -> topLevel(p, key));
        if (next() != null) throw error(loc(), null, "more content after the profile; a profile file holds one JSON object");
        if (p.defaultKind == null) {
            throw error(top, null, "no \"defaultAction\"; give one (e.g. \"defaultAction\": \"SCMP_ACT_ERRNO\")");
        }
        Action defaultAction = action(p.defaultKind, p.defaultErrnoRet, p.defaultErrnoRetLoc, "defaultErrnoRet",
                "a defaultAction of ");
        return new Profile(source, defaultAction, p.architectures, p.flags, p.syscalls, p.notes);
    }

    /** What the top level holds while it is read. */
    private static final class Top {
        Action.Kind defaultKind;
        Integer defaultErrnoRet;
        Loc defaultErrnoRetLoc;
        final List<String> architectures = new ArrayList<>();
        final List<String> flags = new ArrayList<>();
        final List<SyscallEntry> syscalls = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
    }

    private void topLevel(Top p, String key) {
        if (isNull()) {
            if (key.equals("defaultAction")) throw expected(key, "an action (e.g. \"SCMP_ACT_ERRNO\")");
            return;
        }
        switch (key) {
            case "defaultAction" -> p.defaultKind = actionKind(key);
            case "defaultErrnoRet" -> {
                p.defaultErrnoRetLoc = loc();
                p.defaultErrnoRet = (int) whole(key, 0, Action.MAX_TRACE_MSG, "0 to 4095 (an errno)");
            }
            case "architectures" -> p.architectures.addAll(list(key, "a list of architectures", f -> word(f, ARCHITECTURES,
                    "is not an architecture", ARCH_HINT)));
            case "archMap" -> list(key, "a list of {\"architecture\": ..., \"subArchitectures\": [...]}", f -> {
                archMapEntry(f, p.architectures);
                return f;
            });
            case "flags" -> p.flags.addAll(list(key, "a list of flags", f -> word(f, FLAGS, "is not a seccomp filter flag", null)));
            case "listenerPath", "listenerMetadata" -> {
                string(key);
                p.notes.add(key + ": ignored; the launcher receives the listener from the helper itself");
            }
            case "syscalls" -> list(key, "a list of rules", f -> {
                p.syscalls.add(entry(f));
                return f;
            });
            default -> throw new IllegalStateException("key list and switch disagree: " + key);
        }
    }

    private void archMapEntry(String field, List<String> into) {
        expect(JsonToken.START_OBJECT, field, "an object with \"architecture\" and \"subArchitectures\"");
        mapping(field, ARCH_MAP_KEYS, (key, keyLoc) -> {
            String f = field + "." + key;
            if (isNull()) return;
            if (key.equals("architecture")) into.add(word(f, ARCHITECTURES, "is not an architecture", ARCH_HINT));
            else into.addAll(list(f, "a list of architectures", g -> word(g, ARCHITECTURES, "is not an architecture", ARCH_HINT)));
        });
    }

    /** What one {@code syscalls[i]} entry holds while it is read. */
    private static final class RuleDraft {
        List<String> names;
        String namesKey;
        Action.Kind kind;
        Integer errnoRet;
        Loc errnoRetLoc;
        List<ArgCondition> args = List.of();
        String comment;
        Selector includes = Selector.NONE;
        Selector excludes = Selector.NONE;
    }

    private SyscallEntry entry(String field) {
        Loc at = loc();
        expect(JsonToken.START_OBJECT, field, "a rule object with \"names\" and \"action\"");
        entryLocations.add(at);
        RuleDraft e = new RuleDraft();
        mapping(field, RULE_KEYS, (key, keyLoc) -> {
            String f = field + "." + key;
            if (isNull()) return;
            switch (key) {
                case "names", "name" -> {
                    if (e.namesKey != null) throw error(keyLoc, field, "give \"names\" or \"name\", not both");
                    e.namesKey = key;
                    e.names = key.equals("name") ? List.of(syscallName(f)) : names(f);
                }
                case "action" -> e.kind = actionKind(f);
                case "errnoRet" -> {
                    e.errnoRetLoc = loc();
                    e.errnoRet = (int) whole(f, 0, Action.MAX_TRACE_MSG, "0 to 4095 (an errno)");
                }
                case "args" -> e.args = args(f);
                case "comment" -> e.comment = string(f);
                case "includes" -> e.includes = selector(f);
                case "excludes" -> e.excludes = selector(f);
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
        if (e.names == null) {
            throw error(at, field, "no \"names\"; give the syscalls the rule is for (e.g. \"names\": [\"mount\"])");
        }
        if (e.kind == null) throw error(at, field, "no \"action\"; give one (e.g. \"action\": \"SCMP_ACT_ALLOW\")");
        Action action = action(e.kind, e.errnoRet, e.errnoRetLoc, field + ".errnoRet", "");
        return new SyscallEntry(e.names, action, e.args, e.comment, e.includes, e.excludes);
    }

    /** The action of {@code kind} with the errno (or trace message) given, EPERM when none is (as runc does). */
    private Action action(Action.Kind kind, Integer errnoRet, Loc errnoRetLoc, String errnoField, String what) {
        if (errnoRet == null) return kind.takesData() ? new Action(kind, 1) : new Action(kind, 0);
        if (!kind.takesData()) {
            throw error(errnoRetLoc, errnoField, errnoRet + " only applies to " + what + "SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
                    + kind.ociName() + "; remove it");
        }
        if (kind == Action.Kind.ERRNO && errnoRet > Action.MAX_ERRNO) {
            throw error(errnoRetLoc, errnoField, errnoRet + " is out of range; use 0 to 4095 (an errno)");
        }
        return new Action(kind, errnoRet);
    }

    private List<String> names(String field) {
        if (parser.currentToken() == JsonToken.VALUE_STRING) {
            throw error(loc(), field, quote(text()) + " is a single string; use a list, e.g. [" + quote(text()) + "]");
        }
        Loc at = loc();
        List<String> names = list(field, "a list of syscall names", this::syscallName);
        if (names.isEmpty()) throw error(at, field, "[] is empty; give at least one syscall name");
        return names;
    }

    private String syscallName(String field) {
        Loc at = loc();
        String name = string(field);
        if (Syscalls.number(name) != Syscalls.UNKNOWN) return name;
        List<String> similar = Syscalls.similar(name);
        String hint = similar.isEmpty() ? "check the spelling against syscalls(2)"
                : "did you mean " + similar.stream().map(ProfileReader::quote).collect(Collectors.joining(" or ")) + "?";
        throw error(at, field, quote(name) + " is not a syscall name libseccomp knows; " + hint);
    }

    private Action.Kind actionKind(String field) {
        Loc at = loc();
        String name = string(field);
        Action.Kind k = Action.NAMES.get(name);
        if (k == null) throw error(at, field, quote(name) + " is not an action; use " + oneOf(ACTION_NAMES));
        return k;
    }

    private List<ArgCondition> args(String field) {
        List<ReadArg> read = list(field, "a list of argument comparisons", this::arg);
        for (int k = 0; k < read.size(); k++) {
            for (int m = 0; m < k; m++) {
                int index = read.get(k).condition().index();
                if (read.get(m).condition().index() == index) {
                    throw error(read.get(k).indexLoc(), field + "[" + k + "].index", "argument " + index
                            + " is already compared in args[" + m + "]; libseccomp compares an argument once per rule:"
                            + " write a second rule");
                }
            }
        }
        return read.stream().map(ReadArg::condition).toList();
    }

    /** One comparison and where its index was written. */
    private record ReadArg(ArgCondition condition, Loc indexLoc) {}

    private ReadArg arg(String field) {
        Loc at = loc();
        expect(JsonToken.START_OBJECT, field, "an object with \"index\", \"value\" and \"op\"");
        long[] v = {-1, 0, 0};              // index, value, valueTwo
        boolean[] has = new boolean[3];
        Comparison[] op = {null};
        Loc[] indexLoc = {at};
        mapping(field, ARG_KEYS, (key, keyLoc) -> {
            String f = field + "." + key;
            if (isNull() && key.equals("valueTwo")) return;
            switch (key) {
                case "index" -> {
                    indexLoc[0] = loc();
                    v[0] = whole(f, 0, ArgCondition.MAX_INDEX, "0 to 5 (a syscall has six arguments)");
                    has[0] = true;
                }
                case "value" -> {
                    v[1] = u64(f);
                    has[1] = true;
                }
                case "valueTwo" -> v[2] = u64(f);
                case "op" -> {
                    Loc opLoc = loc();
                    String name = string(f);
                    op[0] = Comparison.NAMES.get(name);
                    if (op[0] == null) throw error(opLoc, f, quote(name) + " is not a comparison; use " + oneOf(OP_NAMES));
                }
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
        if (!has[0]) throw error(at, field, "no \"index\"; give the argument's position, 0 to 5");
        if (!has[1]) throw error(at, field, "no \"value\"; give the number to compare with");
        if (op[0] == null) throw error(at, field, "no \"op\"; use " + oneOf(OP_NAMES));
        ArgCondition c = new ArgCondition((int) v[0], v[1], v[2], op[0]);
        if (c.op() == Comparison.MASKED_EQ && !c.satisfiable()) {
            throw error(at, field, "SCMP_CMP_MASKED_EQ never matches: valueTwo " + ArgCondition.number(c.valueTwo())
                    + " has bits outside the mask (value " + ArgCondition.number(c.value()) + ")");
        }
        return new ReadArg(c, indexLoc[0]);
    }

    private Selector selector(String field) {
        expect(JsonToken.START_OBJECT, field, "an object with \"caps\", \"arches\" or \"minKernel\"");
        List<String> caps = new ArrayList<>(), arches = new ArrayList<>();
        String[] minKernel = {null};
        mapping(field, SELECTOR_KEYS, (key, keyLoc) -> {
            String f = field + "." + key;
            if (isNull()) return;
            switch (key) {
                case "caps" -> caps.addAll(list(f, "a list of capabilities (e.g. [\"CAP_SYS_ADMIN\"])", this::string));
                case "arches" -> arches.addAll(list(f, "a list of architectures (e.g. [\"amd64\"])", this::string));
                case "minKernel" -> {
                    Loc at = loc();
                    String v = string(f);
                    if (!v.matches("\\d+\\.\\d+")) {
                        throw error(at, f, quote(v) + " is not a kernel version; use MAJOR.MINOR (e.g. \"4.8\")");
                    }
                    minKernel[0] = v;
                }
                default -> throw new IllegalStateException("key list and switch disagree: " + key);
            }
        });
        return new Selector(caps, arches, minKernel[0]);
    }

    // ---- values ----

    /** A string from {@code allowed}; the error names them all, or {@code hint} when there are many. */
    private String word(String field, List<String> allowed, String isNot, String hint) {
        Loc at = loc();
        String w = string(field);
        if (!allowed.contains(w)) throw error(at, field, quote(w) + " " + isNot + "; use " + (hint != null ? hint : oneOf(allowed)));
        return w;
    }

    /** A whole number written as a number, in {@code [min, max]}. */
    private long whole(String field, long min, long max, String range) {
        Loc at = loc();
        BigInteger n = integer(field);
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw error(at, field, n + " is out of range; use " + range);
        }
        return n.longValue();
    }

    /** An unsigned 64-bit value, returned in a long (two's complement above 2^63). */
    private long u64(String field) {
        Loc at = loc();
        BigInteger n = integer(field);
        if (n.signum() < 0 || n.compareTo(U64_MAX) > 0) {
            throw error(at, field, n + " is out of range; use 0 to 18446744073709551615 (an unsigned 64-bit value)");
        }
        return n.longValue();
    }

    private BigInteger integer(String field) {
        JsonToken t = parser.currentToken();
        if (t == JsonToken.VALUE_STRING) {
            throw error(loc(), field, quote(text()) + " is a string; write the number without quotes");
        }
        if (t != JsonToken.VALUE_NUMBER_INT) throw expected(field, "a whole number");
        try {
            return parser.getBigIntegerValue();
        } catch (IOException e) {
            throw error(loc(), field, "cannot read number: " + e.getMessage());
        }
    }

    private String string(String field) {
        if (parser.currentToken() != JsonToken.VALUE_STRING) throw expected(field, "a string");
        return text();
    }

    // ---- token walking ----

    @FunctionalInterface
    private interface KeyReader {
        /** Reads the value of {@code key}; the parser stands on the value's first token. */
        void read(String key, Loc keyLoc);
    }

    /** Reads the entries of the object whose START_OBJECT is the current token, through its END_OBJECT. */
    private void mapping(String field, List<String> known, KeyReader entry) {
        Set<String> seen = new HashSet<>();
        while (next() == JsonToken.FIELD_NAME) {
            String key = text();
            Loc keyLoc = loc();
            String path = field == null ? key : field + "." + key;
            if (!seen.add(key)) throw error(keyLoc, null, "duplicate key " + quote(path));
            if (!known.contains(key)) {
                throw error(keyLoc, null, "unknown key " + quote(path) + "; known keys"
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

    private boolean isNull() {
        return parser.currentToken() == JsonToken.VALUE_NULL;
    }

    private void expect(JsonToken token, String field, String what) {
        if (parser.currentToken() != token) throw expected(field, what);
    }

    private ProfileException expected(String field, String what) {
        return error(loc(), field, "expected " + what + ", got " + kind());
    }

    /** The current token described for a message: {@code a list}, {@code a string "x"}, ... */
    private String kind() {
        JsonToken t = parser.currentToken();
        return switch (t) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string " + quote(text());
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number " + text();
            case VALUE_TRUE, VALUE_FALSE -> "a boolean " + text();
            case VALUE_NULL -> "null";
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
            return parser.nextToken();
        } catch (StreamReadException e) {
            JsonLocation l = e.getLocation();
            String reason = JACKSON_SOURCE.matcher(firstLine(e.getOriginalMessage())).replaceAll("$1:$2");
            throw l == null ? new ProfileException(source, 0, 0, null, "invalid JSON: " + reason)
                    : new ProfileException(source, l.getLineNr(), l.getColumnNr(), null, "invalid JSON: " + reason);
        } catch (IOException e) {
            throw new ProfileException(source, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private Loc loc() {
        JsonLocation l = parser.currentTokenLocation();
        return new Loc(l.getLineNr(), l.getColumnNr());
    }

    private ProfileException error(Loc at, String field, String detail) {
        return new ProfileException(source, at.line(), at.column(), field, detail);
    }

    /** {@code a, b or c}. */
    private static String oneOf(List<String> words) {
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    /** A JSON string as written: quoted, with quotes and backslashes escaped. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
