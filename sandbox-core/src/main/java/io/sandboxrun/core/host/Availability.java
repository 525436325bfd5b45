package io.sandboxrun.core.host;

/** Whether a host feature is usable, and if not, why (a reason a user can act on). */
public record Availability(boolean available, String detail) {
    public static Availability available(String detail) { return new Availability(true, detail); }

    public static Availability unavailable(String reason) { return new Availability(false, reason); }
}
