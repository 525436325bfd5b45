package io.sandboxrun.fs;

/** Stable names of the launcher-side steps this module reports in {@code SetupException#step()}. */
public final class FsSteps {
    /** Finding argv[0] and the interpreters it needs. */
    public static final String RESOLVE_COMMAND = "resolve-command";
    /** Asking the host's dynamic loader what a binary loads. */
    public static final String DISCOVER_LIBRARIES = "discover-libraries";
    /** Turning the policy into the mount plan (bad extra binds, missing host paths). */
    public static final String FS_PLAN = "fs-plan";
    /** Mounting, sharing and releasing the per-app writable space. */
    public static final String TMP_SPACE = "tmp-space";

    private FsSteps() {}
}
