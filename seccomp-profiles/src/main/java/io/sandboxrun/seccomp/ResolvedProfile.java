package io.sandboxrun.seccomp;

import java.util.List;
import java.util.Optional;

/**
 * A profile's rules for one target, in profile order, with the notes of what was left out.
 *
 * <p>A profile says "the first matching rule decides"; a libseccomp filter cannot order the rules
 * of one syscall (it merges them into one decision tree, and an unconditional rule overrides the
 * others). The two agree exactly when no rule can match a call that an earlier rule of the same
 * syscall with another action also matches, unless the later rule's action is the default
 * (libseccomp leaves such rules out, so the earlier one still decides). {@link #firstConflict()}
 * finds a pair that breaks this; the loader rejects such profiles.
 */
public record ResolvedProfile(Action defaultAction, List<SyscallRule> rules, List<String> notes) {
    public ResolvedProfile {
        rules = List.copyOf(rules);
        notes = List.copyOf(notes);
    }

    /** Two rules whose order a compiled filter could not keep: {@code later} follows {@code earlier}. */
    public record Conflict(SyscallRule earlier, SyscallRule later) {}

    /** The first (by the later rule's position) pair of rules whose order matters, if any. */
    public Optional<Conflict> firstConflict() {
        for (int j = 0; j < rules.size(); j++) {
            SyscallRule later = rules.get(j);
            if (later.action().equals(defaultAction)) continue;
            for (int i = 0; i < j; i++) {
                SyscallRule earlier = rules.get(i);
                if (earlier.nr() == later.nr() && !earlier.action().equals(later.action()) && earlier.overlaps(later)) {
                    return Optional.of(new Conflict(earlier, later));
                }
            }
        }
        return Optional.empty();
    }
}
