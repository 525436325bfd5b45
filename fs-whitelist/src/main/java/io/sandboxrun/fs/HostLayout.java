package io.sandboxrun.fs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the host's top-level runtime links and the optional /etc entries look: the facts the
 * plan needs about the host besides the command, read once so the planner stays a pure function.
 *
 * @param entries for each probed path: what it is, its link text and its real path
 */
public record HostLayout(Map<String, Entry> entries) {
    /** Usr-merge links (or real directories on older layouts). */
    public static final List<String> RUNTIME_LINKS = List.of("/bin", "/sbin", "/lib", "/lib64");
    /** The loader's cache: without it every program searches the default dirs only. */
    public static final String LD_SO_CACHE = "/etc/ld.so.cache";
    /**
     * Public host files apps expect: time zone, MIME table, CA certificates (the bundle's targets
     * are under /usr/share/ca-certificates), OpenSSL's config, Debian's alternatives (many /usr/bin
     * tools are links through it), protocol and service names.
     */
    public static final List<String> ETC_SHARED = List.of("/etc/localtime", "/etc/timezone", "/etc/mime.types",
            "/etc/ssl/certs", "/etc/ssl/openssl.cnf", "/etc/alternatives", "/etc/protocols", "/etc/services");

    /**
     * @param kind     what the path is (lstat)
     * @param linkText the symlink's text when {@code kind} is SYMLINK
     * @param realPath where it leads on the host, or null when missing or dangling
     */
    public record Entry(HostFs.Kind kind, String linkText, String realPath) {
        public static final Entry MISSING = new Entry(HostFs.Kind.MISSING, null, null);

        public static Entry dir(String path) { return new Entry(HostFs.Kind.DIR, null, path); }
        public static Entry file(String path) { return new Entry(HostFs.Kind.FILE, null, path); }
        public static Entry link(String text, String realPath) { return new Entry(HostFs.Kind.SYMLINK, text, realPath); }
    }

    public HostLayout {
        entries = Map.copyOf(entries);
    }

    /** Reads every probed path. */
    public static HostLayout read(HostFs fs) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (String p : all()) {
            HostFs.Kind k = fs.kind(p);
            m.put(p, switch (k) {
                case MISSING -> Entry.MISSING;
                case SYMLINK -> new Entry(k, fs.readLink(p), fs.realPath(p));
                default -> new Entry(k, null, p);
            });
        }
        return new HostLayout(m);
    }

    /** A Debian 12 host: usr-merged, every optional /etc entry present, /etc/localtime a link to UTC. */
    public static HostLayout debian12() {
        Map<String, Entry> m = new LinkedHashMap<>();
        m.put("/bin", Entry.link("usr/bin", "/usr/bin"));
        m.put("/sbin", Entry.link("usr/sbin", "/usr/sbin"));
        m.put("/lib", Entry.link("usr/lib", "/usr/lib"));
        m.put("/lib64", Entry.link("usr/lib64", "/usr/lib64"));
        m.put(LD_SO_CACHE, Entry.file(LD_SO_CACHE));
        for (String p : ETC_SHARED) m.put(p, p.equals("/etc/ssl/certs") || p.equals("/etc/alternatives") ? Entry.dir(p) : Entry.file(p));
        m.put("/etc/localtime", Entry.link("/usr/share/zoneinfo/Etc/UTC", "/usr/share/zoneinfo/Etc/UTC"));
        return new HostLayout(m);
    }

    public Entry get(String path) {
        return entries.getOrDefault(path, Entry.MISSING);
    }

    static List<String> all() {
        List<String> out = new java.util.ArrayList<>(RUNTIME_LINKS);
        out.add(LD_SO_CACHE);
        out.addAll(ETC_SHARED);
        return out;
    }
}
