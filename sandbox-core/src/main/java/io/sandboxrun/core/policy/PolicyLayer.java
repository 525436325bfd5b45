package io.sandboxrun.core.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one source (a policy file, the command line; later a request to the service to come) sets,
 * as a {@link Policy} whose unset settings are null, with where each value was set so that an error
 * found when the sources are merged can point at it. {@link PolicyResolver} lays layers over the
 * defaults.
 *
 * @param source  what the layer came from as printed in messages: a file, or {@code command line}
 * @param values  the settings this source sets
 * @param origins where each was set, by field path: {@code tmp-size}, {@code listen[1]},
 *                {@code env.DEBUG}, {@code limits.io[0]}
 * @param checked whether every value was made from text by its kind's parser ({@link Kind#parse}),
 *                as a policy file's ({@link PolicyLoader}) and the command line's are: the resolver
 *                parses the values of other layers (built in code) again
 */
public record PolicyLayer(String source, Policy values, Map<String, PolicyOrigin> origins, boolean checked) {
    public PolicyLayer {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(values, "values");
        origins = Map.copyOf(origins);
    }

    /** A layer of values built in code, which the resolver checks. */
    public PolicyLayer(String source, Policy values, Map<String, PolicyOrigin> origins) {
        this(source, values, origins, false);
    }

    /** A layer that sets nothing. */
    public static PolicyLayer empty(String source) {
        return new PolicyLayer(source, Records.empty(Policy.class), Map.of());
    }

    /** A builder for a layer from {@code source}. */
    public static Builder builder(String source) {
        return new Builder(source);
    }

    /**
     * Where {@code field} was set: its own origin, else that of the enclosing field, else just
     * this layer's source.
     */
    public PolicyOrigin origin(String field) {
        return PolicyOrigin.find(origins, field, source);
    }

    /** The name of a map entry's key in a field path: {@code env.DEBUG}, {@code rlimits.nofile}. */
    static String entryKey(Object key) {
        return key instanceof Rlimit r ? r.word() : key.toString();
    }

    /**
     * Collects the settings of one layer, each with its origin. The resolver checks the values
     * unless {@link #checked()} says a parser made them.
     */
    public static final class Builder {
        private final String source;
        private final Map<String, PolicyOrigin> origins = new HashMap<>();
        private Policy values = Records.empty(Policy.class);
        private boolean checked;

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /** Sets the setting at {@code path} (a list or map whole) from {@code origin}. */
        public Builder set(String path, Object value, PolicyOrigin origin) {
            PolicySchema.Leaf leaf = leaf(path);
            origins.keySet().removeIf(k -> k.startsWith(path + "[") || k.startsWith(path + "."));
            origins.put(path, origin);
            switch (leaf.container()) {
                case LIST -> {
                    for (int i = 0; i < ((List<?>) value).size(); i++) origins.put(path + "[" + i + "]", origin);
                }
                case MAP -> {
                    for (Object key : ((Map<?, ?>) value).keySet()) origins.put(path + "." + entryKey(key), origin);
                }
                case ONE -> { }
            }
            values = leaf.with(values, value);
            return this;
        }

        /** Adds an element to the list at {@code path}, or a {@link Map.Entry} to the map there. */
        public Builder add(String path, Object element, PolicyOrigin origin) {
            PolicySchema.Leaf leaf = leaf(path);
            origins.putIfAbsent(path, origin);
            Object current = leaf.get(values);
            if (leaf.container() == PolicySchema.Container.LIST) {
                List<Object> list = current == null ? new ArrayList<>() : new ArrayList<>((List<?>) current);
                list.add(element);
                values = leaf.with(values, list);
                origins.put(path + "[" + (list.size() - 1) + "]", origin);
            } else if (leaf.container() == PolicySchema.Container.MAP) {
                Map<Object, Object> map = current == null ? new LinkedHashMap<>() : new LinkedHashMap<>((Map<?, ?>) current);
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) element;
                map.put(e.getKey(), e.getValue());
                values = leaf.with(values, map);
                origins.put(path + "." + entryKey(e.getKey()), origin);
            } else {
                throw new IllegalArgumentException(path + " holds one value, not a list or map");
            }
            return this;
        }

        /** Records {@code origin} for {@code field} without setting a value (e.g. an empty section). */
        public Builder origin(String field, PolicyOrigin origin) {
            origins.put(field, origin);
            return this;
        }

        /**
         * Marks every value set here as made from text by its kind's parser ({@link Kind#parse}), as
         * the command line's options are, so that the resolver does not parse it again. Not for
         * values built in code.
         */
        public Builder checked() {
            checked = true;
            return this;
        }

        public PolicyLayer build() {
            return new PolicyLayer(source, values, origins, checked);
        }

        private static PolicySchema.Leaf leaf(String path) {
            PolicySchema.Leaf leaf = PolicySchema.policy().leaf(path);
            if (leaf == null) throw new IllegalArgumentException("no setting " + path);
            return leaf;
        }
    }
}
