package io.sandboxrun.core.launch;

import java.util.Optional;

/**
 * Pressure stall information of one resource (cpu.pressure, memory.pressure, io.pressure): the
 * share of time some (or all) tasks waited for it, over 10 s and 60 s, and the total stall.
 */
public record Pressure(double someAvg10, double someAvg60, long someTotalUsec, Double fullAvg10, Long fullTotalUsec) {
    /** Parses {@code some avg10=0.00 avg60=0.00 avg300=0.00 total=0} and the optional {@code full} line. */
    public static Optional<Pressure> parse(String text) {
        double s10 = -1, s60 = -1;
        long sTotal = -1;
        Double f10 = null;
        Long fTotal = null;
        for (String line : text.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 5) continue;
            double a10, a60;
            long total;
            try {
                a10 = Double.parseDouble(value(f[1]));
                a60 = Double.parseDouble(value(f[2]));
                total = Long.parseLong(value(f[4]));
            } catch (NumberFormatException e) {
                continue;   // a format this parser does not know: no figure rather than a failed read
            }
            if (f[0].equals("some")) {
                s10 = a10;
                s60 = a60;
                sTotal = total;
            } else if (f[0].equals("full")) {
                f10 = a10;
                fTotal = total;
            }
        }
        return sTotal < 0 ? Optional.empty() : Optional.of(new Pressure(s10, s60, sTotal, f10, fTotal));
    }

    private static String value(String kv) {
        return kv.substring(kv.indexOf('=') + 1);
    }
}
