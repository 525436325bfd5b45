package io.sandboxrun.seccomp;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.sandboxrun.core.document.DocumentReader;
import io.sandboxrun.core.document.LocatedException;
import io.sandboxrun.core.document.Location;
import io.sandboxrun.core.document.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads one OCI seccomp profile: Jackson databind fills an {@link OciProfile} through the shared
 * {@link DocumentReader}, checking each value as it goes ({@link ProfileValues}); then this checks
 * what only a whole rule or the whole profile shows (a key left out, an errnoRet its action takes
 * no, an argument compared twice, rules whose order a filter cannot keep) and builds the
 * {@link Profile}, each error located where the file shows the problem.
 */
final class ProfileReader {
    private static final DocumentReader.Style STYLE = new DocumentReader.Style("empty profile file",
            "the top level must be an object with \"defaultAction\" and \"syscalls\", not ",
            "more content after the profile; a profile file holds one JSON object", "an object", "null");
    /** What a value of each type is, for a value of the wrong kind that databind itself finds, or a null in a list. */
    private static final Map<Class<?>, String> VALUES = Map.of(
            OciProfile.Rule.class, "a rule object with \"names\" and \"action\"",
            OciProfile.Arg.class, "an object with \"index\", \"value\" and \"op\"",
            OciProfile.Filter.class, "an object with \"caps\", \"arches\" or \"minKernel\"",
            OciProfile.ArchMap.class, "an object with \"architecture\" and \"subArchitectures\"",
            String.class, "a string");
    /** What each list holds, by its key. */
    private static final Map<String, String> LISTS = Map.of(
            "architectures", "a list of architectures", "subArchitectures", "a list of architectures",
            "archMap", "a list of {\"architecture\": ..., \"subArchitectures\": [...]}", "flags", "a list of flags",
            "syscalls", "a list of rules", "args", "a list of argument comparisons",
            "caps", "a list of capabilities (e.g. [\"CAP_SYS_ADMIN\"])",
            "arches", "a list of architectures (e.g. [\"amd64\"])");
    private static final String LISTENER_IGNORED = ": ignored; the launcher receives the listener from the helper itself";
    /**
     * Built when the first profile is read (each launch reads one). A null inside a list is an
     * error, as no list of a profile has a place for one.
     */
    private static final DocumentReader<ProfileException> READER = new DocumentReader<>(DocumentReader
            .mapper(DocumentReader.Format.JSON).setDefaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL)),
            ProfileException::new, STYLE, ProfileReader::expected);

    private final Reading r;

    private ProfileReader(Reading r) {
        this.r = r;
    }

    /** The reader of profile files; {@link DocumentReader#readFile} reads them. */
    static DocumentReader<ProfileException> reader() {
        return READER;
    }

    /**
     * Reads {@code json}, naming it {@code name}, and checks its rules' order for {@code target}.
     *
     * @throws ProfileException for any problem
     */
    static Profile read(byte[] json, String name, Target target) {
        return READER.read(json, name, OciProfile.class, null, (raw, reading) -> {
            Profile profile = new ProfileReader(reading).profile(raw, name);
            ResolvedProfile.Conflict c = profile.resolve(target).firstConflict().orElse(null);
            if (c != null) {
                String field = "syscalls[" + c.later().entry() + "]";
                throw reading.error(reading.valueLocation(field), field, ProfileLoader.conflict(c));
            }
            return profile;
        });
    }

    private Profile profile(OciProfile raw, String source) {
        List<SyscallEntry> syscalls = new ArrayList<>();
        for (int i = 0; i < size(raw.syscalls()); i++) syscalls.add(entry(raw.syscalls().get(i), "syscalls[" + i + "]"));
        if (raw.defaultAction() == null) {
            throw missing("defaultAction", "an action (e.g. \"SCMP_ACT_ERRNO\")", r.valueLocation(""), null,
                    "no \"defaultAction\"; give one (e.g. \"defaultAction\": \"SCMP_ACT_ERRNO\")");
        }
        Action defaultAction = action(raw.defaultAction(), raw.defaultErrnoRet(), "defaultErrnoRet", "a defaultAction of ");
        // "architectures" first, then each archMap entry's architecture before the ones its filter also takes,
        // whatever order the keys are written in: JSON objects have none.
        List<String> architectures = new ArrayList<>(orNone(raw.architectures()));
        for (OciProfile.ArchMap m : orNone(raw.archMap())) {
            if (m.architecture() != null) architectures.add(m.architecture());
            architectures.addAll(orNone(m.subArchitectures()));
        }
        List<String> notes = new ArrayList<>();
        if (raw.listenerPath() != null) notes.add("listenerPath" + LISTENER_IGNORED);
        if (raw.listenerMetadata() != null) notes.add("listenerMetadata" + LISTENER_IGNORED);
        return new Profile(source, defaultAction, architectures, orNone(raw.flags()), syscalls, notes);
    }

    private SyscallEntry entry(OciProfile.Rule rule, String field) {
        Location at = r.valueLocation(field);
        if (rule.names() != null && rule.name() != null) {
            Location names = r.keyLocation(field + ".names");
            Location name = r.keyLocation(field + ".name");
            throw r.error(names.compareTo(name) > 0 ? names : name, field, "give \"names\" or \"name\", not both");
        }
        List<ArgCondition> args = args(rule.args(), field + ".args");
        List<String> names = rule.name() != null ? List.of(rule.name()) : rule.names();
        if (names == null) {
            throw r.error(at, field, "no \"names\"; give the syscalls the rule is for (e.g. \"names\": [\"mount\"])");
        }
        if (rule.action() == null) throw r.error(at, field, "no \"action\"; give one (e.g. \"action\": \"SCMP_ACT_ALLOW\")");
        Action action = action(rule.action(), rule.errnoRet(), field + ".errnoRet", "");
        return new SyscallEntry(names, action, args, rule.comment(), selector(rule.includes()), selector(rule.excludes()));
    }

    /** The action of {@code kind} with the errno (or trace message) given, EPERM when none is (as runc does). */
    private Action action(Action.Kind kind, Long errnoRet, String errnoField, String what) {
        if (errnoRet == null) return kind.takesData() ? new Action(kind, 1) : new Action(kind, 0);
        Location at = r.valueLocation(errnoField);
        if (!kind.takesData()) {
            throw r.error(at, errnoField, errnoRet + " only applies to " + what + "SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not "
                    + kind.ociName() + "; remove it");
        }
        if (kind == Action.Kind.ERRNO && errnoRet > Action.MAX_ERRNO) {
            throw r.error(at, errnoField, errnoRet + " is out of range; use 0 to 4095 (an errno)");
        }
        return new Action(kind, errnoRet.intValue());
    }

    private List<ArgCondition> args(List<OciProfile.Arg> read, String field) {
        List<ArgCondition> args = new ArrayList<>();
        for (int k = 0; k < size(read); k++) args.add(arg(read.get(k), field + "[" + k + "]"));
        for (int k = 0; k < args.size(); k++) {
            for (int m = 0; m < k; m++) {
                int index = args.get(k).index();
                if (args.get(m).index() == index) {
                    String f = field + "[" + k + "].index";
                    throw r.error(r.valueLocation(f), f, "argument " + index + " is already compared in args[" + m
                            + "]; libseccomp compares an argument once per rule: write a second rule");
                }
            }
        }
        return args;
    }

    private ArgCondition arg(OciProfile.Arg a, String field) {
        Location at = r.valueLocation(field);
        if (a.index() == null) {
            throw missing(field + ".index", "a whole number", at, field, "no \"index\"; give the argument's position, 0 to 5");
        }
        if (a.value() == null) {
            throw missing(field + ".value", "a whole number", at, field, "no \"value\"; give the number to compare with");
        }
        if (a.op() == null) {
            throw missing(field + ".op", "a string", at, field,
                    "no \"op\"; use " + ProfileValues.oneOf(ProfileValues.OP_NAMES));
        }
        ArgCondition c = new ArgCondition(a.index().intValue(), a.value(), a.valueTwo() == null ? 0 : a.valueTwo(), a.op());
        if (c.op() == Comparison.MASKED_EQ && !c.satisfiable()) {
            throw r.error(at, field, "SCMP_CMP_MASKED_EQ never matches: valueTwo " + ArgCondition.number(c.valueTwo())
                    + " has bits outside the mask (value " + ArgCondition.number(c.value()) + ")");
        }
        return c;
    }

    /**
     * A value a profile cannot do without is not there: written as {@code null} (which databind
     * reads as no value), the error stands at the null; left out, at {@code at} with {@code detail}.
     */
    private LocatedException missing(String path, String what, Location at, String field, String detail) {
        if (r.keyLocation(path) == Location.UNKNOWN) return r.error(at, field, detail);
        return r.error(r.valueLocation(path), path, "expected " + what + ", got null");
    }

    private static Selector selector(OciProfile.Filter f) {
        return f == null ? Selector.NONE : new Selector(orNone(f.caps()), orNone(f.arches()), f.minKernel());
    }

    /**
     * What databind's own deserializers expected where a value of the wrong kind, or a null in a
     * list, stands: by the value's type, or for a list by its key.
     */
    private static String expected(String path, Class<?> type) {
        String what = VALUES.get(type);
        return what != null ? what : LISTS.get(path.substring(path.lastIndexOf('.') + 1));
    }

    private static <T> List<T> orNone(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static int size(List<?> list) {
        return list == null ? 0 : list.size();
    }
}
