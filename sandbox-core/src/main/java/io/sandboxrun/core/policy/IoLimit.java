package io.sandboxrun.core.policy;

/**
 * Throttles for one block device, by its {@code major:minor} number; {@code null} leaves a
 * direction unthrottled, {@link Limits#UNLIMITED} lifts it.
 *
 * @param rbps  read bytes per second
 * @param wbps  write bytes per second
 * @param riops read operations per second
 * @param wiops write operations per second
 */
public record IoLimit(int major, int minor, Long rbps, Long wbps, Long riops, Long wiops) {
    /** {@code major:minor}, as cgroup files name devices. */
    public String device() {
        return major + ":" + minor;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(device());
        if (rbps != null) b.append(" rbps=").append(rbps == Limits.UNLIMITED ? "max" : rbps);
        if (wbps != null) b.append(" wbps=").append(wbps == Limits.UNLIMITED ? "max" : wbps);
        if (riops != null) b.append(" riops=").append(riops == Limits.UNLIMITED ? "max" : riops);
        if (wiops != null) b.append(" wiops=").append(wiops == Limits.UNLIMITED ? "max" : wiops);
        return b.toString();
    }
}
