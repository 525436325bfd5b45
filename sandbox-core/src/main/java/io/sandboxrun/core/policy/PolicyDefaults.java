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
    private static final Policy ANYWHERE = embedded(Path.of("/"));
    /** The default sections, for code that builds a policy by hand (derived from the table, not declared here). */
    public static final CgroupPolicy CGROUP = ANYWHERE.cgroup();
    public static final Limits LIMITS = ANYWHERE.limits();
    public static final Limits INSTANCE_LIMITS = ANYWHERE.instanceLimits();
    public static final NetworkPolicy NETWORK = ANYWHERE.network();

    /**
     * The embedded defaults, with relative defaults (the app root {@code .}) starting at
     * {@code base}: the command line passes its working directory.
     */
    public static Policy embedded(Path base) {
        Kind.Base b = new Kind.Base(base.toAbsolutePath().normalize(), false);
        Policy p = Records.empty(Policy.class);
        for (PolicySchema.Leaf leaf : PolicySchema.policy().leaves()) {
            p = leaf.with(p, value(leaf, b));
        }
        return p;
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

    private PolicyDefaults() {}
}
