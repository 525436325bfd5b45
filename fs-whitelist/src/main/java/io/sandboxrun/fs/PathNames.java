package io.sandboxrun.fs;

import java.util.ArrayList;
import java.util.List;

/** Absolute, normalised path strings as the helper protocol wants them (no `.`, `..`, `//`, trailing `/`). */
final class PathNames {
    private PathNames() {}

    /** Normalises {@code path}, resolving {@code .} and {@code ..} lexically; relative paths are taken from {@code base}. */
    static String normalize(String base, String path) {
        String full = path.startsWith("/") ? path : base + "/" + path;
        List<String> parts = new ArrayList<>();
        for (String c : full.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) {
                if (!parts.isEmpty()) parts.remove(parts.size() - 1);
            } else {
                parts.add(c);
            }
        }
        return parts.isEmpty() ? "/" : "/" + String.join("/", parts);
    }

    static String normalize(String absolute) {
        return normalize("/", absolute);
    }

    /** True when {@code path} is {@code dir} or lies below it (component-wise: /usr2 is not under /usr). */
    static boolean isUnder(String path, String dir) {
        if (dir.equals("/")) return true;
        return path.equals(dir) || (path.startsWith(dir) && path.charAt(dir.length()) == '/');
    }

    static String parent(String path) {
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }

    static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String join(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    /** Number of components: {@code /} is 0, {@code /opt} is 1, {@code /opt/lib} is 2. */
    static int depth(String path) {
        if (path.equals("/")) return 0;
        int n = 0;
        for (int i = 0; i < path.length(); i++) if (path.charAt(i) == '/') n++;
        return n;
    }
}
