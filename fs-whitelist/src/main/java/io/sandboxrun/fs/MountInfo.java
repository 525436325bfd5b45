package io.sandboxrun.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code /proc/self/mountinfo} (proc(5)): the fields this module needs, with the
 * kernel's octal escapes ({@code \040} space, {@code \011} tab, {@code \012} newline, {@code \134}
 * backslash) decoded.
 */
public record MountInfo(int mountId, int parentId, String root, String mountPoint, String options,
                        String fsType, String source, String superOptions) {

    /** Parses the whole file; malformed lines are skipped. */
    public static List<MountInfo> parse(String text) {
        List<MountInfo> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            MountInfo m = parseLine(line);
            if (m != null) out.add(m);
        }
        return out;
    }

    static MountInfo parseLine(String line) {
        String[] f = line.strip().split(" ");
        // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
        int sep = -1;
        for (int i = 6; i < f.length; i++) {
            if (f[i].equals("-")) { sep = i; break; }
        }
        if (f.length < 7 || sep < 0 || sep + 2 >= f.length) return null;
        try {
            return new MountInfo(Integer.parseInt(f[0]), Integer.parseInt(f[1]), unescape(f[3]), unescape(f[4]), f[5],
                    unescape(f[sep + 1]), unescape(f[sep + 2]), sep + 3 < f.length ? f[sep + 3] : "");
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Decodes {@code \ooo} octal escapes (the kernel's mangle() of " \t\n\\"). */
    public static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        return true;
    }
}
