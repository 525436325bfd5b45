package io.sandboxrun.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The value parsers as the command line uses them: the field is the option, with no location. */
class PolicyValuesTest {

    @Test
    void sizes() {
        assertEquals(256L << 20, PolicyValues.size("--tmp-size", "256M"));
        assertEquals(2048, PolicyValues.size("--tmp-size", "2k"));
        assertEquals(3L << 30, PolicyValues.size("--tmp-size", "3G"));
        assertEquals(12345, PolicyValues.size("--tmp-size", "12345"));
        assertEquals(0, PolicyValues.size("--tmp-size", "0"));
    }

    @Test
    void badSizes() {
        fails("--tmp-size: \"12Q\" is not a size; use a number with K, M or G (e.g. 256M)",
                () -> PolicyValues.size("--tmp-size", "12Q"));
        fails("--tmp-size: \"-1M\" is not a size; use a number with K, M or G (e.g. 256M)",
                () -> PolicyValues.size("--tmp-size", "-1M"));
        fails("--tmp-size: \"1.5G\" is not a size; use a number with K, M or G (e.g. 256M)",
                () -> PolicyValues.size("--tmp-size", "1.5G"));
        fails("--tmp-size: \"\" is not a size; use a number with K, M or G (e.g. 256M)",
                () -> PolicyValues.size("--tmp-size", ""));
        fails("--tmp-size: \"99999999999G\" is too large; a size goes up to 8589934591G",
                () -> PolicyValues.size("--tmp-size", "99999999999G"));
        fails("--tmp-size: \"99999999999999999999\" is too large; a size goes up to 8589934591G",
                () -> PolicyValues.size("--tmp-size", "99999999999999999999"));
    }

    @Test
    void tmpSizeBounds() {
        assertEquals(1L << 20, PolicyValues.tmpSize("--tmp-size", "1M"));
        assertEquals(64L << 30, PolicyValues.tmpSize("--tmp-size", "64G"));
        fails("--tmp-size: \"1023K\" is out of range; use 1M to 64G", () -> PolicyValues.tmpSize("--tmp-size", "1023K"));
        fails("--tmp-size: \"65G\" is out of range; use 1M to 64G", () -> PolicyValues.tmpSize("--tmp-size", "65G"));
    }

    @Test
    void appNames() {
        assertEquals("hello", PolicyValues.appName("--app", "hello"));
        assertEquals("0a.b_c-d", PolicyValues.appName("--app", "0a.b_c-d"));
        assertEquals("a".repeat(63), PolicyValues.appName("--app", "a".repeat(63)));
        String allowed = " is not a valid app name; use 1 to 63 characters of a-z, 0-9, '.', '_' and '-',"
                + " starting with a letter or digit";
        fails("--app: \"Hello\"" + allowed, () -> PolicyValues.appName("--app", "Hello"));
        fails("--app: \"-x\"" + allowed, () -> PolicyValues.appName("--app", "-x"));
        fails("--app: \"../x\"" + allowed, () -> PolicyValues.appName("--app", "../x"));
        fails("--app: \"\"" + allowed, () -> PolicyValues.appName("--app", ""));
        fails("--app: \"" + "a".repeat(64) + "\"" + allowed, () -> PolicyValues.appName("--app", "a".repeat(64)));
    }

    @Test
    void hostnames() {
        assertEquals("box-1.local", PolicyValues.hostname("--hostname", "box-1.local"));
        fails("--hostname: \"\" is not a valid host name; use 1 to 64 characters of A-Z, a-z, 0-9, '.' and '-'",
                () -> PolicyValues.hostname("--hostname", ""));
    }

    @Test
    void searchPaths() {
        assertEquals("/bin", PolicyValues.searchPath("--path", "/bin"));
        String hint = "; use absolute directories separated by ':' (e.g. /usr/local/bin:/usr/bin:/bin)";
        fails("--path: \"/bin::/usr/bin\" has an empty entry" + hint, () -> PolicyValues.searchPath("--path", "/bin::/usr/bin"));
        fails("--path: \"/bin:\" has an empty entry" + hint, () -> PolicyValues.searchPath("--path", "/bin:"));
        fails("--path: \"\" is empty" + hint, () -> PolicyValues.searchPath("--path", ""));
    }

    @Test
    void landlockWords() {
        assertEquals(LandlockMode.OFF, PolicyValues.landlock("--landlock", "off"));
        assertEquals(LandlockMode.BEST_EFFORT, PolicyValues.landlock("--landlock", "best-effort"));
        assertEquals(LandlockMode.REQUIRED, PolicyValues.landlock("--landlock", "required"));
        fails("--landlock: \"Required\" is not a landlock mode; use off, best-effort or required",
                () -> PolicyValues.landlock("--landlock", "Required"));
    }

    @Test
    void listenAddresses() {
        assertEquals(new ListenAddress.Tcp("127.0.0.1", 8080), PolicyValues.listen("--listen", "127.0.0.1:8080"));
        assertEquals(new ListenAddress.Tcp("0.0.0.0", 0), PolicyValues.listen("--listen", "0.0.0.0:0"));
        assertEquals(new ListenAddress.Tcp("localhost", 65535), PolicyValues.listen("--listen", "localhost:65535"));
        assertEquals(new ListenAddress.Tcp("::1", 8081), PolicyValues.listen("--listen", "[::1]:8081"));
        assertEquals(new ListenAddress.Tcp("fe80::1:2", 80), PolicyValues.listen("--listen", "[fe80::1:2]:80"));
        assertEquals(new ListenAddress.Unix(Path.of("/run/apps/a.sock")),
                PolicyValues.listen("--listen", "unix:/run/apps/./a.sock"));
        assertEquals("[::1]:8081", PolicyValues.listen("--listen", "[::1]:8081").toString());
    }

    @Test
    void badListenAddresses() {
        String hint = "; use HOST:PORT (an IP address or localhost, IPv6 in brackets) or unix:/absolute/path";
        fails("--listen: \"127.0.0.1:65536\": port 65536 is out of range; use 0 to 65535 (0 picks a free port)",
                () -> PolicyValues.listen("--listen", "127.0.0.1:65536"));
        fails("--listen: \"127.0.0.1:\": port \"\" is not a number; use 0 to 65535 (0 picks a free port)",
                () -> PolicyValues.listen("--listen", "127.0.0.1:"));
        fails("--listen: \"127.0.0.1:-1\": port \"-1\" is not a number; use 0 to 65535 (0 picks a free port)",
                () -> PolicyValues.listen("--listen", "127.0.0.1:-1"));
        fails("--listen: \"8080\" has no port" + hint, () -> PolicyValues.listen("--listen", "8080"));
        fails("--listen: \"[::1]\" has no port" + hint, () -> PolicyValues.listen("--listen", "[::1]"));
        fails("--listen: \"[::1:80\" has no closing ']'" + hint, () -> PolicyValues.listen("--listen", "[::1:80"));
        fails("--listen: \"::1:8080\": put an IPv6 address in brackets, e.g. [::1]:8080",
                () -> PolicyValues.listen("--listen", "::1:8080"));
        fails("--listen: \"256.0.0.1:80\": host \"256.0.0.1\" is not an IP address or localhost" + hint,
                () -> PolicyValues.listen("--listen", "256.0.0.1:80"));
        fails("--listen: \":80\": host \"\" is not an IP address or localhost" + hint,
                () -> PolicyValues.listen("--listen", ":80"));
        fails("--listen: \"[example.com]:80\": host \"example.com\" is not an IPv6 address" + hint,
                () -> PolicyValues.listen("--listen", "[example.com]:80"));
        fails("--listen: \"[1.2.3.4]:80\": host \"1.2.3.4\" is not an IPv6 address" + hint,
                () -> PolicyValues.listen("--listen", "[1.2.3.4]:80"));
        fails("--listen: \"unix:a.sock\" is not an absolute path; use unix:/absolute/path",
                () -> PolicyValues.listen("--listen", "unix:a.sock"));
        String longPath = "unix:/" + "x".repeat(107);
        fails("--listen: \"" + longPath + "\" is too long; a unix socket path has at most 107 bytes",
                () -> PolicyValues.listen("--listen", longPath));
    }

    @Test
    void unixListenOptions() {
        ListenAddress.Unix u = (ListenAddress.Unix) PolicyValues.listen("--listen",
                "unix:/run/apps/x.sock,mode=0660,group=www-data");
        assertEquals(Path.of("/run/apps/x.sock"), u.path());
        assertEquals(0660, u.mode());
        assertEquals(null, u.owner());
        assertEquals(new ListenAddress.Account("www-data", 33), u.group());
        assertEquals("unix:/run/apps/x.sock,mode=0660,group=www-data", u.toString());
        ListenAddress.Unix all = (ListenAddress.Unix) PolicyValues.listen("--listen",
                "unix:/a.sock,owner=root,group=0,mode=640");
        assertEquals(new ListenAddress.Unix(Path.of("/a.sock"), 0640, new ListenAddress.Account("root", 0),
                new ListenAddress.Account("0", 0)), all);
        assertEquals("unix:/a.sock,mode=0640,owner=root,group=0", all.toString(), "options in a fixed order");
        assertEquals(all, PolicyValues.listen("--listen", all.toString()), "printed text parses back");
        assertEquals(new ListenAddress.Unix(Path.of("/a.sock"), 0600, new ListenAddress.Account("12345", 12345), null),
                PolicyValues.listen("--listen", "unix:/a.sock,owner=12345"), "numeric ids need no entry");
        assertEquals("unix:/a.sock", PolicyValues.listen("--listen", "unix:/a.sock,mode=0600").toString(),
                "the default mode is left out");
        assertEquals(0600, ((ListenAddress.Unix) PolicyValues.listen("--listen", "unix:/a.sock")).mode());
    }

    @Test
    void badUnixListenOptions() {
        String options = "; use mode=OCTAL, owner=USER or group=GROUP";
        String mode = "; use 3 or 4 octal digits up to 0777 (e.g. 0660: owner and group may connect)";
        fails("--listen: \"unix:/a.sock,mod=0660\": unknown option \"mod\"" + options,
                () -> PolicyValues.listen("--listen", "unix:/a.sock,mod=0660"));
        fails("--listen: \"unix:/a,b.sock\": \"b.sock\" is not an option" + options + " (a socket path cannot hold ',')",
                () -> PolicyValues.listen("--listen", "unix:/a,b.sock"));
        fails("--listen: \"unix:/a.sock,\": \"\" is not an option" + options + " (a socket path cannot hold ',')",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,"));
        fails("--listen: \"unix:/a.sock,mode=0660,mode=0600\": mode is given twice; give each option once",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,mode=0660,mode=0600"));
        fails("--listen: \"unix:/a.sock,group=www-data,group=root\": group is given twice; give each option once",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,group=www-data,group=root"));
        fails("--listen: \"unix:/a.sock,mode=rw\": mode \"rw\" is not an octal mode" + mode,
                () -> PolicyValues.listen("--listen", "unix:/a.sock,mode=rw"));
        fails("--listen: \"unix:/a.sock,mode=0680\": mode \"0680\" is not an octal mode" + mode,
                () -> PolicyValues.listen("--listen", "unix:/a.sock,mode=0680"));
        fails("--listen: \"unix:/a.sock,mode=66\": mode \"66\" is not an octal mode" + mode,
                () -> PolicyValues.listen("--listen", "unix:/a.sock,mode=66"));
        fails("--listen: \"unix:/a.sock,mode=1777\": mode 1777 has bits beyond the permissions, which mean nothing on"
                + " a socket" + mode, () -> PolicyValues.listen("--listen", "unix:/a.sock,mode=1777"));
        fails("--listen: \"unix:/a.sock,owner=no-such-user-xyz\": owner \"no-such-user-xyz\" is not a user in"
                + " /etc/passwd; use a user name from /etc/passwd or a numeric uid",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,owner=no-such-user-xyz"));
        fails("--listen: \"unix:/a.sock,group=no-such-group-xyz\": group \"no-such-group-xyz\" is not a group in"
                + " /etc/group; use a group name from /etc/group or a numeric gid",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,group=no-such-group-xyz"));
        fails("--listen: \"unix:/a.sock,owner=\": owner is empty; use a user name from /etc/passwd or a numeric uid",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,owner="));
        fails("--listen: \"unix:/a.sock,group=4294967296\": group 4294967296 is out of range; use a group name from"
                + " /etc/group or a numeric gid up to 2147483647",
                () -> PolicyValues.listen("--listen", "unix:/a.sock,group=4294967296"));
        fails("--listen: \"127.0.0.1:8080,mode=0660\": options (mode=, owner=, group=) apply to unix sockets only;"
                + " use HOST:PORT (an IP address or localhost, IPv6 in brackets) or unix:/absolute/path",
                () -> PolicyValues.listen("--listen", "127.0.0.1:8080,mode=0660"));
    }

    @Test
    void aSchemeGetsTheAddressWithoutIt() {
        fails("--listen: \"tcp://127.0.0.1:8080\": drop the scheme: use 127.0.0.1:8080",
                () -> PolicyValues.listen("--listen", "tcp://127.0.0.1:8080"));
        fails("--listen: \"http://127.0.0.1:8080/\": drop the scheme: use 127.0.0.1:8080",
                () -> PolicyValues.listen("--listen", "http://127.0.0.1:8080/"));
        fails("--listen: \"http://[::1]:80\": drop the scheme: use [::1]:80",
                () -> PolicyValues.listen("--listen", "http://[::1]:80"));
        fails("--listen: \"http://localhost\": drop the scheme: use HOST:PORT (an IP address or localhost, IPv6 in"
                + " brackets) or unix:/absolute/path", () -> PolicyValues.listen("--listen", "http://localhost"));
        fails("--listen: \"unix:///run/x.sock\": a unix socket is unix: and its absolute path; use unix:/run/x.sock",
                () -> PolicyValues.listen("--listen", "unix:///run/x.sock"));
    }

    @Test
    void accountsAreTheThirdFieldOfTheNamedLine() {
        String passwd = "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n";
        assertEquals(java.util.OptionalInt.of(33), Accounts.find(passwd, "www-data"));
        assertEquals(java.util.OptionalInt.of(0), Accounts.find(passwd, "root"));
        assertEquals(java.util.OptionalInt.empty(), Accounts.find(passwd, "www"), "whole names only");
        assertEquals(java.util.OptionalInt.empty(), Accounts.find("broken:x\n", "broken"));
        assertEquals(java.util.OptionalInt.empty(), Accounts.find("odd:x:y:\n", "odd"));
    }

    @Test
    void envEntries() {
        assertEquals(Map.entry("DEBUG", "a=b"), PolicyValues.envEntry("--env", "DEBUG=a=b"));
        assertEquals(Map.entry("_X", ""), PolicyValues.envEntry("--env", "_X="));
        assertEquals(Map.entry("HOME", "/app"), PolicyValues.envEntry("--env", "HOME=/app"));
        fails("--env: \"DEBUG\" has no '='; use NAME=VALUE", () -> PolicyValues.envEntry("--env", "DEBUG"));
        fails("--env: \"A-B\" is not a valid variable name; use letters, digits and '_', not starting with a digit",
                () -> PolicyValues.envEntry("--env", "A-B=1"));
        fails("--env: \"\" is not a valid variable name; use letters, digits and '_', not starting with a digit",
                () -> PolicyValues.envEntry("--env", "=1"));
        fails("--env: \"PATH\" is reserved; the runtime sets LISTEN_FDNAMES, LISTEN_FDS, LISTEN_PID and PATH"
                + " (PATH comes from the path setting)", () -> PolicyValues.envEntry("--env", "PATH=/bin"));
        fails("--env: \"LISTEN_PID\" is reserved; the runtime sets LISTEN_FDNAMES, LISTEN_FDS, LISTEN_PID and PATH"
                + " (PATH comes from the path setting)", () -> PolicyValues.envEntry("--env", "LISTEN_PID=1"));
        fails("--env: \"a\\u0000b\" contains a NUL character", () -> PolicyValues.envEntry("--env", "A=a\0b"));
    }

    @Test
    void paths(@TempDir Path base) {
        assertEquals(Path.of("/opt/data"), PolicyValues.absolutePath("--ro-bind", "/opt//data/"));
        fails("--state-dir: \"/run/../proc\" has a \"..\" component, which leads to /proc; write the path without"
                + " \"..\" components", () -> PolicyValues.absolutePath("--state-dir", "/run/../proc"));
        fails("--ro-bind: \"/nonexistent-x/..\" has a \"..\" component; write the path without \"..\" components",
                () -> PolicyValues.absolutePath("--ro-bind", "/nonexistent-x/.."));
        // On the command line a relative ro-bind may go up from the working directory, never after a name.
        assertEquals(base.getParent().resolve("lib"), PolicyValues.bindPath("--ro-bind", "../lib", base));
        assertEquals(base.resolve("lib"), PolicyValues.bindPath("--ro-bind", "./lib/", base));
        fails("--ro-bind: \"lib/../../etc\" has a \"..\" component; write the path without \"..\" components",
                () -> PolicyValues.bindPath("--ro-bind", "lib/../../etc", base));
        fails("--ro-bind: \"/usr/../etc\" has a \"..\" component, which leads to /etc; write the path without \"..\""
                + " components", () -> PolicyValues.bindPath("--ro-bind", "/usr/../etc", base));
        fails("--ro-bind: \"opt\" is not an absolute path; use a host path starting with /",
                () -> PolicyValues.absolutePath("--ro-bind", "opt"));
        assertEquals(base.resolve("src"), PolicyValues.hostPath("--app-root", "./src", base));
        assertEquals(Path.of("/srv/app"), PolicyValues.hostPath("--app-root", "/srv/app", base));
        fails("--app-root: \"\" is empty; give a directory", () -> PolicyValues.hostPath("--app-root", "", base));
    }

    @Test
    void rlimits() {
        assertEquals(Map.entry(Rlimit.NOFILE, RlimitValue.of(1024)), PolicyValues.rlimit("--rlimit", "nofile=1024"));
        assertEquals(Map.entry(Rlimit.NOFILE, new RlimitValue(512, 4096)),
                PolicyValues.rlimit("--rlimit", "nofile=512:4096"));
        assertEquals(Map.entry(Rlimit.FSIZE, RlimitValue.of(64L << 20)), PolicyValues.rlimit("--rlimit", "fsize=64M"));
        assertEquals(Map.entry(Rlimit.CPU, new RlimitValue(10, RlimitValue.UNLIMITED)),
                PolicyValues.rlimit("--rlimit", "cpu=10:unlimited"));
        assertEquals(Map.entry(Rlimit.STACK, RlimitValue.of(RlimitValue.UNLIMITED)),
                PolicyValues.rlimit("--rlimit", "stack=unlimited"));
    }

    @Test
    void badRlimits() {
        fails("--rlimit: \"nofile\" has no '='; use NAME=VALUE or NAME=SOFT:HARD (e.g. nofile=1024)",
                () -> PolicyValues.rlimit("--rlimit", "nofile"));
        fails("--rlimit: unknown rlimit \"files\"; known rlimits: as, core, cpu, fsize, memlock, msgqueue, nice, nofile,"
                + " nproc, rtprio, sigpending, stack", () -> PolicyValues.rlimit("--rlimit", "files=1"));
        fails("--rlimit: \"1K\" is not a valid limit; use a whole number (0 or more) or unlimited",
                () -> PolicyValues.rlimit("--rlimit", "nofile=1K"));
        fails("--rlimit: \"64Q\" is not a size; use a number with K, M or G (e.g. 64M), or unlimited",
                () -> PolicyValues.rlimit("--rlimit", "as=64Q"));
        fails("--rlimit: soft 2048 is above hard 1024; soft must not exceed hard",
                () -> PolicyValues.rlimit("--rlimit", "nofile=2048:1024"));
        fails("--rlimit: soft unlimited is above hard 1024; soft must not exceed hard",
                () -> PolicyValues.rlimit("--rlimit", "nofile=unlimited:1024"));
    }

    @Test
    void rlimitValueRefusesWhatSetrlimitRefuses() {
        assertThrows(IllegalArgumentException.class, () -> new RlimitValue(RlimitValue.UNLIMITED, 10));
        assertThrows(IllegalArgumentException.class, () -> new RlimitValue(11, 10));
        assertThrows(IllegalArgumentException.class, () -> new RlimitValue(-2, 10));
    }

    @Test
    void userIds() {
        assertEquals(1000, PolicyValues.userId("--uid", "1000"));
        assertEquals(200000, PolicyValues.hostIdBase("--host-id-base", "200000"));
        assertEquals(65536, PolicyValues.idCount("--id-count", "65536"));
        fails("--uid: 0 is root inside the sandbox; use 1 or more (below id-count)", () -> PolicyValues.userId("--uid", "0"));
        fails("--uid: \"x\" is not a whole number; use 1 to 2147483646", () -> PolicyValues.userId("--uid", "x"));
        fails("--uid: \"-5\" is not a whole number; use 1 to 2147483646", () -> PolicyValues.userId("--uid", "-5"));
        fails("--uid: \"2147483647\" is out of range; use 1 to 2147483646",
                () -> PolicyValues.userId("--uid", "2147483647"));
        fails("--host-id-base: \"999\" is too low; use 1000 or more, so that no app id maps to host root or a system user",
                () -> PolicyValues.hostIdBase("--host-id-base", "999"));
        fails("--host-id-base: \"4294967295\" is out of range; use 1000 to 4294967294",
                () -> PolicyValues.hostIdBase("--host-id-base", "4294967295"));
        fails("--id-count: \"1\" is out of range; use 2 to 2147483647", () -> PolicyValues.idCount("--id-count", "1"));
    }

    @Test
    void commands() {
        assertEquals(List.of("python3", "app.py"), PolicyValues.command("--", List.of("python3", "app.py")));
        fails("command[1]: \"\" is empty; every word of the command must have text",
                () -> PolicyValues.command("command", List.of("python3", "")));
        fails("command: [] is empty; give the program and its arguments, e.g. [python3, app.py]",
                () -> PolicyValues.command("command", List.of()));
    }

    @Test
    void quoting() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", PolicyValues.quote("a\"b\\c\nd\u0001"));
    }

    @Test
    void errorsFromValueParsersHaveNoLocation() {
        PolicyException e = assertThrows(PolicyException.class, () -> PolicyValues.size("--tmp-size", "x"));
        assertNull(e.source());
        assertEquals(0, e.line());
        assertEquals("--tmp-size", e.field());
        assertEquals("\"x\" is not a size; use a number with K, M or G (e.g. 256M)", e.detail());
    }

    private static void fails(String message, Executable call) {
        assertEquals(message, assertThrows(PolicyException.class, call).getMessage());
    }
}
