package io.sandboxrun.cgroup;

/**
 * A limit the host cannot enforce, and why; the launcher turns it into an error or a warning by
 * the policy's cgroup mode.
 *
 * @param limit the policy's name for it: {@code memory}, {@code memory-high}, {@code cpus},
 *              {@code cpu-weight}, {@code pids}, {@code io}, or {@code cgroups} for all of them
 */
public record Unenforced(String limit, String reason) {
    @Override
    public String toString() { return limit + ": " + reason; }
}
