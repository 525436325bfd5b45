package io.sandboxrun.launcher.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Help text wrapped at spaces only. picocli wraps long lines wherever Java's line breaker allows,
 * which includes after ':' and '.', and so splits addresses and examples; lines that already fit
 * are left as they are.
 */
final class HelpText {
    /** {@code text} as lines of at most {@code width} characters, broken at spaces (a longer word stays whole). */
    static String[] wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            if (line.length() > 0) line.append(' ');
            line.append(word);
        }
        if (line.length() > 0) lines.add(line.toString());
        return lines.toArray(String[]::new);
    }

    private HelpText() {}
}
