package io.sandboxrun.fs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code #!} line of a script, parsed as binfmt_script does: the interpreter path, then the
 * rest of the line as at most one argument. {@code /usr/bin/env NAME} is understood too (with
 * {@code -S}), since then NAME is looked up through the sandbox's PATH.
 */
record Shebang(String interpreter, String argument) {
    /** Linux reads this many bytes of a script for the #! line (BINPRM_BUF_SIZE, 256 since 5.1). */
    static final int MAX_LINE = 256;

    static boolean isScript(byte[] head) {
        return head.length >= 2 && head[0] == '#' && head[1] == '!';
    }

    static Optional<Shebang> parse(byte[] head) {
        if (!isScript(head)) return Optional.empty();
        int end = 2;
        while (end < head.length && end < MAX_LINE && head[end] != '\n') end++;
        String line = new String(head, 2, end - 2, StandardCharsets.UTF_8).strip();
        if (line.isEmpty()) return Optional.empty();
        int sp = indexOfBlank(line);
        if (sp < 0) return Optional.of(new Shebang(line, ""));
        return Optional.of(new Shebang(line.substring(0, sp), line.substring(sp + 1).strip()));
    }

    /** True when the interpreter is env(1), whose first operand is a command looked up in PATH. */
    boolean isEnv() {
        return PathNames.fileName(interpreter).equals("env");
    }

    /**
     * The command env(1) runs for this line: skips options and NAME=VALUE words, splits {@code -S}
     * strings; empty when there is none.
     */
    Optional<String> envCommand() {
        List<String> words = new ArrayList<>(List.of(argument.split("[ \t]+")));
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.isEmpty() || w.contains("=") && !w.startsWith("-")) continue;
            if (w.equals("-S") || w.equals("--split-string")) continue;
            if (w.startsWith("-S")) { words.set(i, w.substring(2)); i--; continue; }
            if (w.equals("-u") || w.equals("-C") || w.equals("--unset") || w.equals("--chdir")) { i++; continue; }
            if (w.startsWith("-")) continue;
            return Optional.of(w);
        }
        return Optional.empty();
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == ' ' || s.charAt(i) == '\t') return i;
        return -1;
    }
}
