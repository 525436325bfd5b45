package io.sandboxrun.core.helper;

/** One Landlock path-beneath rule: {@code access} on {@code path} (inside view) and below it. */
public record LandlockRule(Access access, String path) {
    public enum Access {
        /** read files, read directories, execute */
        RO("ro"),
        /** every filesystem right the kernel handles */
        RW("rw"),
        /** read, write, truncate and ioctl on a device file */
        DEV("dev");

        private final String word;

        Access(String word) { this.word = word; }

        public String word() { return word; }
    }
}
