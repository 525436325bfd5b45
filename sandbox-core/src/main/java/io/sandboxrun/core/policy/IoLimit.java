package io.sandboxrun.core.policy;

/**
 * Throttles for one block device; {@code null} leaves a direction unthrottled,
 * {@link Limits#UNLIMITED} lifts it.
 *
 * @param device {@code MAJOR:MINOR}, as cgroup files name devices
 * @param rbps   read bytes per second
 * @param wbps   write bytes per second
 * @param riops  read operations per second
 * @param wiops  write operations per second
 */
public record IoLimit(
        @Setting(kind = Kind.DEVICE, help = "The device: MAJOR:MINOR (e.g. \"8:0\") or a block device's path.")
        String device,
        @Setting(kind = Kind.IO_BYTES, help = "Read bytes per second.")
        Long rbps,
        @Setting(kind = Kind.IO_BYTES, help = "Write bytes per second.")
        Long wbps,
        @Setting(kind = Kind.IO_OPS, help = "Read operations per second.")
        Long riops,
        @Setting(kind = Kind.IO_OPS, help = "Write operations per second.")
        Long wiops) {

    /** As {@code --io-max} takes it: {@code 8:0:rbps=1M,wiops=max}. */
    public String text() {
        StringBuilder b = new StringBuilder(device).append(':');
        if (rbps != null) b.append("rbps=").append(CgroupValues.word(rbps, true)).append(',');
        if (wbps != null) b.append("wbps=").append(CgroupValues.word(wbps, true)).append(',');
        if (riops != null) b.append("riops=").append(CgroupValues.word(riops, false)).append(',');
        if (wiops != null) b.append("wiops=").append(CgroupValues.word(wiops, false)).append(',');
        b.setLength(b.length() - 1);
        return b.toString();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(device);
        if (rbps != null) b.append(" rbps=").append(rbps == Limits.UNLIMITED ? "max" : rbps);
        if (wbps != null) b.append(" wbps=").append(wbps == Limits.UNLIMITED ? "max" : wbps);
        if (riops != null) b.append(" riops=").append(riops == Limits.UNLIMITED ? "max" : riops);
        if (wiops != null) b.append(" wiops=").append(wiops == Limits.UNLIMITED ? "max" : wiops);
        return b.toString();
    }
}
