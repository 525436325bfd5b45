package io.sandboxrun.core.launch;

import java.util.List;

/**
 * A syscall the seccomp profile refused, with how often and the first few argument summaries.
 *
 * @param syscall  the syscall's name for the native architecture, e.g. {@code mount}
 * @param errno    the errno the app got back, e.g. 1 (EPERM)
 * @param count    how many times the app made it
 * @param examples up to a few argument summaries, e.g. {@code args=0x0,0x7ffd…}
 */
public record Denial(String syscall, int errno, long count, List<String> examples) {
    public Denial {
        examples = List.copyOf(examples);
    }
}
