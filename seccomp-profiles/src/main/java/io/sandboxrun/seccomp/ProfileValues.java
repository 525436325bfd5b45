package io.sandboxrun.seccomp;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import io.sandboxrun.core.document.Location;
import io.sandboxrun.core.document.Reading;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The values of a seccomp profile that need our checks and messages, as the Jackson deserializers
 * {@link OciProfile} names: each checks its value where it stands, so that its error carries the
 * line, column and JSON path, the value and what is allowed. A {@code null} reads as no value.
 */
final class ProfileValues {
    /** libseccomp's architecture names (seccomp.h SCMP_ARCH_*). */
    private static final List<String> ARCHITECTURES = List.of("SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_LOONGARCH64",
            "SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL",
            "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_PPC",
            "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_RISCV64", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
            "SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64");
    private static final String ARCHITECTURE_HINT = "a libseccomp name such as SCMP_ARCH_X86_64, SCMP_ARCH_X86,"
            + " SCMP_ARCH_X32 or SCMP_ARCH_AARCH64 (seccomp_arch_add(3) lists them all)";
    /** The OCI runtime-spec's seccomp flags (linux/seccomp.h SECCOMP_FILTER_FLAG_*). */
    private static final List<String> FLAGS = List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
            "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    static final List<String> OP_NAMES = sorted(Comparison.NAMES.keySet());
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** A string, never a number or boolean turned into one. */
    static final class Text extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            return string(p, Reading.of(ctxt));
        }
    }

    /** An architecture libseccomp names. */
    static final class Architecture extends Word {
        Architecture() { super(ARCHITECTURES, "is not an architecture", ARCHITECTURE_HINT); }
    }

    /** A seccomp filter flag. */
    static final class Flag extends Word {
        Flag() { super(FLAGS, "is not a seccomp filter flag", oneOf(FLAGS)); }
    }

    /** An action, {@code SCMP_ACT_*}. */
    static final class ActionName extends Named<Action.Kind> {
        ActionName() { super(Action.NAMES, "is not an action"); }
    }

    /** A comparison, {@code SCMP_CMP_*}. */
    static final class OpName extends Named<Comparison> {
        OpName() { super(Comparison.NAMES, "is not a comparison"); }
    }

    /**
     * An {@code errnoRet}: an errno, or the message of SCMP_ACT_TRACE (16 bits); which action it
     * goes with is checked once the whole rule is read.
     */
    static final class ErrnoRet extends Whole {
        ErrnoRet() { super(Action.MAX_TRACE_MSG, "0 to 4095 (an errno)"); }
    }

    /** An argument's position. */
    static final class ArgIndex extends Whole {
        ArgIndex() { super(ArgCondition.MAX_INDEX, "0 to 5 (a syscall has six arguments)"); }
    }

    /** An unsigned 64-bit value, held in a long (two's complement above 2^63). */
    static final class U64 extends Whole {
        U64() { super(U64_MAX, "0 to 18446744073709551615 (an unsigned 64-bit value)"); }
    }

    /** A syscall name the native architecture's libseccomp knows, with a guess when it is misspelt. */
    static final class SyscallName extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            return syscallName(p, Reading.of(ctxt));
        }
    }

    /** A rule's {@code names}: a list of at least one syscall name, never a lone string. */
    static final class Names extends JsonDeserializer<List<String>> {
        @Override
        public List<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Reading r = Reading.of(ctxt);
            String field = Reading.path(p);
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String name = Reading.quote(r.text(p));
                throw r.error(p, field, name + " is a single string; use a list, e.g. [" + name + "]");
            }
            if (p.currentToken() != JsonToken.START_ARRAY) throw r.expected(p, field, "a list of syscall names");
            Location at = Location.of(p);
            List<String> names = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) names.add(syscallName(p, r));
            if (names.isEmpty()) throw r.error(at, field, "[] is empty; give at least one syscall name");
            return names;
        }
    }

    /** Docker's {@code minKernel}: {@code MAJOR.MINOR}. */
    static final class KernelVersion extends JsonDeserializer<String> {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            Reading r = Reading.of(ctxt);
            String v = string(p, r);
            if (!v.matches("\\d+\\.\\d+")) {
                throw r.error(p, Reading.path(p), Reading.quote(v) + " is not a kernel version; use MAJOR.MINOR (e.g. \"4.8\")");
            }
            return v;
        }
    }

    /** A string from a fixed list; else an error that says what to use. */
    private static class Word extends JsonDeserializer<String> {
        private final List<String> allowed;
        private final String isNot;
        private final String use;

        Word(List<String> allowed, String isNot, String use) {
            this.allowed = allowed;
            this.isNot = isNot;
            this.use = use;
        }

        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) {
            Reading r = Reading.of(ctxt);
            String w = string(p, r);
            if (!allowed.contains(w)) throw r.error(p, Reading.path(p), Reading.quote(w) + " " + isNot + "; use " + use);
            return w;
        }
    }

    /** What a string names; else an error that lists the names. */
    private static class Named<T> extends JsonDeserializer<T> {
        private final Map<String, T> names;
        private final String isNot;
        private final String use;

        Named(Map<String, T> names, String isNot) {
            this.names = names;
            this.isNot = isNot;
            this.use = oneOf(sorted(names.keySet()));
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            Reading r = Reading.of(ctxt);
            String name = string(p, r);
            T value = names.get(name);
            if (value == null) {
                throw r.error(p, Reading.path(p), Reading.quote(name) + " " + isNot + "; use " + use);
            }
            return value;
        }
    }

    /** A whole number written as a number, from 0 to a maximum; above 2^63 in two's complement. */
    private static class Whole extends JsonDeserializer<Long> {
        private final BigInteger max;
        private final String range;

        Whole(long max, String range) {
            this(BigInteger.valueOf(max), range);
        }

        Whole(BigInteger max, String range) {
            this.max = max;
            this.range = range;
        }

        @Override
        public Long deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Reading r = Reading.of(ctxt);
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) {
                throw r.error(p, Reading.path(p), Reading.quote(r.text(p)) + " is a string; write the number without quotes");
            }
            if (t != JsonToken.VALUE_NUMBER_INT) throw r.expected(p, Reading.path(p), "a whole number");
            BigInteger n = p.getBigIntegerValue();
            if (n.signum() < 0 || n.compareTo(max) > 0) throw r.error(p, Reading.path(p), n + " is out of range; use " + range);
            return n.longValue();
        }
    }

    private static String syscallName(JsonParser p, Reading r) {
        String name = string(p, r);
        if (Syscalls.number(name) != Syscalls.UNKNOWN) return name;
        List<String> similar = Syscalls.similar(name);
        String hint = similar.isEmpty() ? "check the spelling against syscalls(2)"
                : "did you mean " + similar.stream().map(Reading::quote).collect(Collectors.joining(" or ")) + "?";
        throw r.error(p, Reading.path(p), Reading.quote(name) + " is not a syscall name libseccomp knows; " + hint);
    }

    private static String string(JsonParser p, Reading r) {
        if (p.currentToken() != JsonToken.VALUE_STRING) throw r.expected(p, Reading.path(p), "a string");
        return r.text(p);
    }

    private static List<String> sorted(Collection<String> words) {
        return words.stream().sorted().toList();
    }

    /** {@code a, b or c}. */
    static String oneOf(List<String> words) {
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    private ProfileValues() {}
}
