package io.sandboxrun.core.policy;

/** How the Landlock second wall is applied. */
public enum LandlockMode {
    /** Not applied; the mount namespace holds alone. */
    OFF("off"),
    /** Applied when the kernel has Landlock; otherwise reported as not enforced. */
    BEST_EFFORT("best-effort"),
    /** Applied, or the launch fails with exit 125. */
    REQUIRED("required");

    private final String word;

    LandlockMode(String word) { this.word = word; }

    /** The word used in policy files, on the command line and in the helper plan. */
    public String word() { return word; }
}
