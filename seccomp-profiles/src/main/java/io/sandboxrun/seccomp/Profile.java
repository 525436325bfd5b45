package io.sandboxrun.seccomp;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A seccomp profile in the OCI runtime-spec {@code linux.seccomp} form (what Docker, podman and
 * containerd use): a default action and an ordered list of rule entries. The first rule that
 * matches a call decides it; no rule, the default action.
 *
 * @param source        where it came from, as messages name it (a file, or {@code bundled:python})
 * @param defaultAction with {@code defaultErrnoRet} folded in
 * @param architectures the listed ABIs ({@code SCMP_ARCH_*}, from {@code architectures} and
 *                      {@code archMap}); only the native one is compiled
 * @param flags         the listed {@code SECCOMP_FILTER_FLAG_*}; accepted and ignored
 * @param notes         what was read but has no effect here (e.g. {@code listenerPath})
 */
public record Profile(String source, Action defaultAction, List<String> architectures, List<String> flags,
                      List<SyscallEntry> syscalls, List<String> notes) {
    public Profile {
        if (defaultAction == null) throw new IllegalArgumentException("a profile needs a default action");
        architectures = List.copyOf(architectures);
        flags = List.copyOf(flags);
        syscalls = List.copyOf(syscalls);
        notes = List.copyOf(notes);
    }

    /** A profile with no architectures, flags or notes. */
    public static Profile of(String source, Action defaultAction, List<SyscallEntry> syscalls) {
        return new Profile(source, defaultAction, List.of(), List.of(), syscalls, List.of());
    }

    /**
     * The rules for {@code target}, in profile order, one per native syscall name: entries that
     * Docker's includes/excludes rule out are dropped, and so are names of other architectures;
     * each such fact is a note.
     */
    public ResolvedProfile resolve(Target target) {
        List<SyscallRule> rules = new ArrayList<>();
        List<String> notes = new ArrayList<>(this.notes);
        Set<String> foreign = new LinkedHashSet<>();
        for (String a : architectures) if (!target.isArch(a)) foreign.add(a);
        if (!foreign.isEmpty()) {
            notes.add("architectures " + String.join(", ", foreign) + ": not compiled; the filter holds "
                    + target.scmpArch() + " only, and a call through any other ABI kills the process");
        }
        for (String f : flags) notes.add("flags " + f + ": ignored");
        for (int i = 0; i < syscalls.size(); i++) {
            SyscallEntry e = syscalls.get(i);
            var skip = target.skipReason(e.includes(), e.excludes());
            if (skip.isPresent()) {
                notes.add("syscalls[" + i + "] " + e.names() + ": skipped: " + skip.get());
                continue;
            }
            List<String> absent = new ArrayList<>();
            for (String name : e.names()) {
                int nr = Syscalls.number(name);
                if (nr < 0) absent.add(name);
                else rules.add(new SyscallRule(nr, name, e.action(), e.args(), i, e.comment()));
            }
            if (!absent.isEmpty()) {
                notes.add("syscalls[" + i + "] " + String.join(", ", absent) + ": not syscalls on " + target.arch() + "; ignored");
            }
        }
        return new ResolvedProfile(defaultAction, rules, notes);
    }
}
