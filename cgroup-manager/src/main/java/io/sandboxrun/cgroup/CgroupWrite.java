package io.sandboxrun.cgroup;

/**
 * One control-file write of a limit plan.
 *
 * @param limit      the policy's name of the limit it carries ({@code memory}, {@code cpus}, ...)
 * @param controller the controller that owns {@code file} ({@code memory}, {@code cpu}, {@code pids},
 *                   {@code io} on v2, {@code blkio} on v1)
 * @param optional   skip it when the kernel lacks the file (swap accounting off, for example)
 */
public record CgroupWrite(String limit, String controller, String file, String value, boolean optional) {
    static CgroupWrite of(String limit, String controller, String file, String value) {
        return new CgroupWrite(limit, controller, file, value, false);
    }

    static CgroupWrite optional(String limit, String controller, String file, String value) {
        return new CgroupWrite(limit, controller, file, value, true);
    }
}
