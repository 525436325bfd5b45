package io.sandboxrun.core.document;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;

/** A 1-based line and column in a document; 0, 0 when unknown. Ordered as the document reads: by line, then column. */
public record Location(int line, int column) implements Comparable<Location> {
    public static final Location UNKNOWN = new Location(0, 0);

    /** Where the parser's current token starts. */
    public static Location of(JsonParser p) {
        JsonLocation l = p.currentTokenLocation();
        return l == null || l.getLineNr() < 1 ? UNKNOWN : new Location(l.getLineNr(), l.getColumnNr());
    }

    @Override
    public int compareTo(Location o) {
        return line != o.line ? Integer.compare(line, o.line) : Integer.compare(column, o.column);
    }
}
