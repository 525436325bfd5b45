package io.sandboxrun.seccomp;

import java.util.List;

/**
 * Docker's {@code includes} / {@code excludes} on a rule: capabilities, architectures (Go or
 * libseccomp names, e.g. {@code amd64}) and a minimum kernel ({@code "4.8"}). Empty fields say
 * nothing; {@link Target#skipReason} decides what a rule's pair means for this sandbox.
 *
 * @param minKernel {@code MAJOR.MINOR}, or null
 */
public record Selector(List<String> caps, List<String> arches, String minKernel) {
    public static final Selector NONE = new Selector(List.of(), List.of(), null);

    public Selector {
        caps = List.copyOf(caps);
        arches = List.copyOf(arches);
    }

    public boolean isEmpty() {
        return caps.isEmpty() && arches.isEmpty() && minKernel == null;
    }
}
