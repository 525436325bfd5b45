package io.sandboxrun.cgroup;

import java.util.regex.Pattern;

/** Where an instance lives below the root: {@code app-<app>/<instance>}. */
public record CgroupPath(String app, String instance) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    static final String APP_PREFIX = "app-";

    public CgroupPath {
        for (String n : new String[] {app, instance}) {
            if (n == null || !NAME.matcher(n).matches()) {
                throw new IllegalArgumentException("cgroup name \"" + n + "\": want " + NAME.pattern());
            }
        }
    }

    public String appDir() { return APP_PREFIX + app; }

    /** {@code app/instance}, as the CLI names an instance. */
    @Override
    public String toString() { return app + "/" + instance; }
}
