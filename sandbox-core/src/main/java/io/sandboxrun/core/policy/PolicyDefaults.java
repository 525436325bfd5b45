package io.sandboxrun.core.policy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded defaults: a launch needs no policy file. Each setting's default and the reason
 * for it are declared with the setting ({@link Setting#byDefault()}, {@link Setting#because()});
 * this turns them into a {@link Policy}.
 */
public final class PolicyDefaults {
    // The default sections, for code that builds a policy by hand (derived from the table, not declared here).

    public static Limits limits() { return Sections.DEFAULTS.limits(); }

    public static NetworkPolicy network() { return Sections.DEFAULTS.network(); }

    /**
     * The embedded defaults, with relative defaults (the app root {@code .}) starting at
     * {@code base}: the command line passes its working directory.
     */
    public static Policy embedded(Path base) {
        Kind.Base b = new Kind.Base(base.toAbsolutePath().normalize(), false);
        return PolicySchema.policy().build(leaf -> value(leaf, b));
    }

    private static Object value(PolicySchema.Leaf leaf, Kind.Base base) {
        String[] texts = leaf.defaulted() ? leaf.setting().byDefault() : new String[0];
        String field = leaf.path();
        return switch (leaf.container()) {
            case ONE -> texts.length == 0 ? null : leaf.kind().parse(field, texts[0], base);
            case LIST -> {
                List<Object> list = new ArrayList<>();
                for (String t : texts) list.add(leaf.kind().parse(field, t, base));
                yield List.copyOf(list);
            }
            case MAP -> {
                Map<Object, Object> map = new LinkedHashMap<>();
                for (String t : texts) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) leaf.kind().parse(field, t, base);
                    map.put(e.getKey(), e.getValue());
                }
                yield Map.copyOf(map);
            }
        };
    }

    /** Made on first use of a constant, so that a launch that only calls {@link #embedded} does not pay for it. */
    private static final class Sections {
        static final Policy DEFAULTS = embedded(Path.of("/"));
    }

    private PolicyDefaults() {}
}
