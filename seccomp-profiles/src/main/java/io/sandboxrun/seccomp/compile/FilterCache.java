package io.sandboxrun.seccomp.compile;

import io.sandboxrun.seccomp.Profile;
import io.sandboxrun.seccomp.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compiled filters by content: a profile is compiled once per (content hash, options, target).
 * The content hash of a profile object seen recently (the bundled ones are shared objects) is
 * remembered, so such a launch pays a map lookup; a profile read afresh from a file pays for
 * hashing it. In memory, for the life of the launcher; thread-safe.
 */
public final class FilterCache {
    private static final FilterCache SHARED = new FilterCache();

    private static final int DIGESTS_KEPT = 64;

    private final Map<String, CompiledFilter> filters = new ConcurrentHashMap<>();
    /** Content digests of the profile objects seen last, by identity (a record's equals walks every rule). */
    private final Map<Identity, String> digests = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Identity, String> eldest) {
            return size() > DIGESTS_KEPT;
        }
    };
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** The launcher's cache. */
    public static FilterCache shared() { return SHARED; }

    /** The compiled filter for {@code profile} on this machine, compiling it on first use. */
    public CompiledFilter get(Profile profile, CompileOptions options) {
        return get(profile, options, Target.host());
    }

    /** As {@link #get(Profile, CompileOptions)}, for {@code target}. */
    public CompiledFilter get(Profile profile, CompileOptions options, Target target) {
        String key = digest(profile) + "\n" + options + "\n" + target;
        CompiledFilter f = filters.get(key);
        if (f != null) {
            hits.increment();
            return f;
        }
        boolean[] compiled = {false};
        f = filters.computeIfAbsent(key, k -> {
            compiled[0] = true;
            return BpfCompiler.compile(profile, options, target);
        });
        (compiled[0] ? misses : hits).increment();
        return f;
    }

    private String digest(Profile profile) {
        Identity id = new Identity(profile);
        synchronized (digests) {
            String d = digests.get(id);
            if (d != null) return d;
        }
        String d = BpfCompiler.contentDigest(profile);
        synchronized (digests) {
            digests.put(id, d);
        }
        return d;
    }

    /** A profile compared by identity. */
    private record Identity(Profile profile) {
        @Override
        public boolean equals(Object o) { return o instanceof Identity i && i.profile == profile; }

        @Override
        public int hashCode() { return System.identityHashCode(profile); }
    }

    /** Lookups answered from the cache. */
    public long hits() { return hits.sum(); }

    /** Lookups that compiled. */
    public long misses() { return misses.sum(); }

    /** Filters held. */
    public int size() { return filters.size(); }

    /** Forgets every filter and resets the counts (for benchmarks measuring cold compiles). */
    public void clear() {
        filters.clear();
        synchronized (digests) {
            digests.clear();
        }
        hits.reset();
        misses.reset();
    }
}
