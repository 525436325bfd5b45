package io.sandboxrun.core.policy;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The table of settings, read once from the {@link Setting} and {@link Section} declarations on
 * {@link Policy} and the records below it: every setting with its path ({@code limits.memory}),
 * and how to read and replace it in a policy. The file reader, the command line, the merge of
 * sources, the known keys of errors and docs/policy.md all come from here.
 */
public final class PolicySchema {
    private static final PolicySchema POLICY = new PolicySchema(Policy.class);

    /** Whether a setting holds one value, a list of them, or a map of NAME: value entries. */
    public enum Container { ONE, LIST, MAP }

    /**
     * One setting.
     *
     * @param path      its place in a policy file: {@code limits.memory}
     * @param setting   its declaration
     * @param container one value, a list or a map
     * @param group     where --help and the reference show it
     * @param option    its command-line option, or {@code ""} (none, or a section without options)
     * @param defaulted whether it takes its declared default (false in a section without defaults)
     * @param element   the record a list element of a {@link Kind.Shape#MAPPING} kind is, else null
     */
    public record Leaf(String path, Setting setting, Container container, Group group, String option,
                       boolean defaulted, Class<?> element, int[] steps) {
        public Kind kind() { return setting.kind(); }

        /** Its value in {@code policy}, or null (also when a section on the way is null). */
        public Object get(Policy policy) {
            return PolicySchema.get(policy, steps);
        }

        /** {@code policy} with this setting replaced by {@code value} (null sections on the way made empty). */
        public Policy with(Policy policy, Object value) {
            return set(policy, steps, 0, value);
        }
    }

    /**
     * One section.
     *
     * @param path    its place in a policy file: {@code network.rates}
     * @param section its declaration
     * @param type    the record it is read into
     * @param keys    its keys, in declaration order
     */
    public record Branch(String path, Section section, Class<?> type, List<String> keys, int[] steps) {
        /** {@code policy} with this section replaced by {@code value}. */
        public Policy with(Policy policy, Object value) {
            return set(policy, steps, 0, value);
        }

        /** What the section must be, for an error: {@code a mapping of mode, root (e.g. {mode: required})}. */
        public String what() {
            return PolicySchema.what(type, section);
        }
    }

    /** How to combine one setting's values from two policies walked together. */
    @FunctionalInterface
    public interface Combiner {
        /** The setting's new value, from its value in each policy (null where unset or the section is null). */
        Object apply(Leaf leaf, Object a, Object b);
    }

    /** One record of settings: its type and, per component, the setting or the section there. */
    private record Tree(Class<?> type, Leaf[] leaves, Tree[] sections) {}

    private final Tree root;
    private final List<Leaf> leaves = new ArrayList<>();
    private final Map<String, Leaf> byPath = new LinkedHashMap<>();
    private final Map<String, Branch> branchByPath = new LinkedHashMap<>();

    private PolicySchema(Class<? extends Record> root) {
        this.root = walk(root, "", Group.APP, true, true, new int[0]);
    }

    /** A policy with every setting {@code value.apply(leaf)}, every section present. */
    public Policy build(java.util.function.Function<Leaf, Object> value) {
        return (Policy) combine(root, null, null, (leaf, a, b) -> value.apply(leaf));
    }

    /**
     * {@code a} and {@code b} walked together, each setting becoming {@code f(leaf, a's, b's)};
     * one record made per section (a cold start pays for each reflective call).
     */
    public Policy combine(Policy a, Policy b, Combiner f) {
        return (Policy) combine(root, a, b, f);
    }

    private static Object combine(Tree t, Record a, Record b, Combiner f) {
        Object[] args = new Object[t.leaves.length];
        for (int i = 0; i < args.length; i++) {
            Object av = a == null ? null : Records.get(a, i);
            Object bv = b == null ? null : Records.get(b, i);
            args[i] = t.leaves[i] != null ? f.apply(t.leaves[i], av, bv) : combine(t.sections[i], (Record) av, (Record) bv, f);
        }
        return Records.create(t.type, args);
    }

    /** The settings of {@link Policy}. */
    public static PolicySchema policy() {
        return POLICY;
    }

    /** Every setting, in declaration order. */
    public List<Leaf> leaves() {
        return Collections.unmodifiableList(leaves);
    }

    /** The setting at {@code path}, or null. */
    public Leaf leaf(String path) {
        return byPath.get(path);
    }

    /** The section at {@code path}, or null. */
    public Branch branch(String path) {
        return branchByPath.get(path);
    }

    /** The keys of the record {@code type}, in declaration order. */
    public static List<String> keys(Class<?> type) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : Records.components(type)) keys.add(key(c));
        return keys;
    }

    /** The key of a settings record component: declared, or its name in kebab-case. */
    public static String key(RecordComponent c) {
        Setting s = c.getAnnotation(Setting.class);
        String declared = s != null ? s.key() : "";
        return declared.isEmpty() ? kebab(c.getName()) : declared;
    }

    /** What {@code section}, read into {@code type}, must be: see {@link Branch#what()}. */
    static String what(Class<?> type, Section section) {
        return mapping(keys(type), section.example());
    }

    /** {@code a mapping of a, b, c} with an optional {@code (e.g. EXAMPLE)}. */
    static String mapping(List<String> keys, String example) {
        return "a mapping of " + String.join(", ", keys) + (example.isEmpty() ? "" : " (e.g. " + example + ")");
    }

    /** The element record of a list component, or null. */
    static Class<?> element(RecordComponent c) {
        if (!(c.getGenericType() instanceof ParameterizedType t)) return null;
        return t.getActualTypeArguments()[0] instanceof Class<?> e && e.isRecord() ? e : null;
    }

    static Container container(Class<?> type) {
        if (List.class.isAssignableFrom(type)) return Container.LIST;
        if (Map.class.isAssignableFrom(type)) return Container.MAP;
        return Container.ONE;
    }

    private Tree walk(Class<?> type, String prefix, Group group, boolean options, boolean defaults, int[] steps) {
        RecordComponent[] cs = Records.components(type);
        Tree tree = new Tree(type, new Leaf[cs.length], new Tree[cs.length]);
        for (int i = 0; i < cs.length; i++) {
            RecordComponent c = cs[i];
            String path = prefix + key(c);
            int[] here = java.util.Arrays.copyOf(steps, steps.length + 1);
            here[steps.length] = i;
            Setting s = c.getAnnotation(Setting.class);
            Section b = c.getAnnotation(Section.class);
            if (s != null) {
                Leaf leaf = new Leaf(path, s, container(c.getType()), s.group() == Group.SECTION ? group : s.group(),
                        options ? s.option() : "", defaults, element(c), here);
                leaves.add(leaf);
                byPath.put(path, leaf);
                tree.leaves[i] = leaf;
            } else if (b != null) {
                Branch branch = new Branch(path, b, c.getType(), keys(c.getType()), here);
                branchByPath.put(path, branch);
                tree.sections[i] = walk(c.getType(), path + ".", b.group(), options && b.options(), defaults && b.defaults(), here);
            } else {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " is neither a @Setting nor a @Section");
            }
        }
        return tree;
    }

    private static Object get(Policy policy, int[] steps) {
        Object cur = policy;
        for (int i : steps) {
            if (cur == null) return null;
            cur = Records.get((Record) cur, i);
        }
        return cur;
    }

    private static <R extends Record> R set(R record, int[] steps, int depth, Object value) {
        int i = steps[depth];
        if (depth == steps.length - 1) return Records.with(record, i, value);
        Record child = (Record) Records.get(record, i);
        if (child == null) child = (Record) Records.empty(Records.components(record.getClass())[i].getType());
        return Records.with(record, i, set(child, steps, depth + 1, value));
    }

    private static String kebab(String name) {
        StringBuilder sb = new StringBuilder();
        for (char ch : name.toCharArray()) {
            if (Character.isUpperCase(ch)) sb.append('-').append(Character.toLowerCase(ch));
            else sb.append(ch);
        }
        return sb.toString();
    }
}
