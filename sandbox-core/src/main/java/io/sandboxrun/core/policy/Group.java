package io.sandboxrun.core.policy;

/** The groups of settings in --help and docs/policy.md, in the order they are shown. */
public enum Group {
    APP("App and filesystem"),
    LIMITS("Limits"),
    NETWORK("Network"),
    SECCOMP("Seccomp"),
    OUTPUT("Output"),
    /** Not a group: a setting in the group of its section. */
    SECTION("");

    private final String heading;

    Group(String heading) { this.heading = heading; }

    /** The heading the group is shown under. */
    public String heading() { return heading; }
}
