package io.sandboxrun.core.document;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * One document being read: its name, how its errors are made and worded, where each of its keys
 * stands, and what the document's own deserializers attach. Custom deserializers find it with
 * {@link #of(DeserializationContext)} and raise located errors through it.
 */
public final class Reading {
    private final String source;
    private final LocatedException.Factory<?> errors;
    private final DocumentReader.Style style;
    private final Object attachment;
    private final Map<String, Location> keys = new HashMap<>();
    private final Map<String, Location> values = new HashMap<>();

    Reading(String source, LocatedException.Factory<?> errors, DocumentReader.Style style, Object attachment) {
        this.source = source;
        this.errors = errors;
        this.style = style;
        this.attachment = attachment;
    }

    /** The reading that {@code ctxt} belongs to. */
    public static Reading of(DeserializationContext ctxt) {
        Object r = ctxt.getAttribute(Reading.class);
        if (r == null) throw new IllegalStateException("not reading through DocumentReader");
        return (Reading) r;
    }

    /** The document as messages name it. */
    public String source() { return source; }

    /** What the document's reader attached for its deserializers (e.g. a base directory), cast to {@code type}. */
    public <T> T attachment(Class<T> type) { return type.cast(attachment); }

    /** An error at {@code at} about {@code field}. */
    public LocatedException error(Location at, String field, String detail) {
        return errors.create(source, at.line(), at.column(), field, detail);
    }

    /** An error at the parser's current token. */
    public LocatedException error(JsonParser p, String field, String detail) {
        return error(Location.of(p), field, detail);
    }

    /** {@code expected WHAT, got a list} (or whatever the current token is). */
    public LocatedException expected(JsonParser p, String field, String what) {
        return error(p, field, "expected " + what + ", got " + describe(p));
    }

    /** The current token described for a message: {@code a list}, {@code a string "x"}, {@code a number 5}, ... */
    public String describe(JsonParser p) {
        JsonToken t = p.currentToken();
        if (t == null) return "nothing";
        return switch (t) {
            case START_ARRAY -> "a list";
            case START_OBJECT -> style.mapping();
            case VALUE_STRING -> "a string " + quote(text(p));
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number " + text(p);
            case VALUE_TRUE, VALUE_FALSE -> "a boolean " + text(p);
            case VALUE_NULL -> style.nothing();
            default -> "an unsupported value";
        };
    }

    /** The current token's text. */
    public String text(JsonParser p) {
        try {
            return p.getText();
        } catch (IOException e) {
            throw error(p, null, "cannot read value: " + e.getMessage());
        }
    }

    /** Where the key at {@code path} was written, or {@link Location#UNKNOWN}. */
    public Location keyLocation(String path) {
        return keys.getOrDefault(path, Location.UNKNOWN);
    }

    /**
     * Where the value at {@code path} starts, or {@link Location#UNKNOWN}: the document's top
     * level ({@code ""}), every value given to a key, and every mapping or list inside a list
     * ({@code syscalls[2]}). A plain value inside a list is not remembered, as its deserializer
     * sees it where it stands. For checks made once a whole mapping or document is read, such as
     * a key missing from a list element.
     */
    public Location valueLocation(String path) {
        return values.getOrDefault(path, Location.UNKNOWN);
    }

    /** Remembers where the key at {@code path} stands; false when that key was already given. */
    boolean key(String path, Location at) {
        return keys.putIfAbsent(path, at) == null;
    }

    /** Remembers where the value at {@code path} starts. */
    void value(String path, Location at) {
        values.put(path, at);
    }

    /**
     * The field path of the current token's value: {@code limits.memory}, {@code listen[1]},
     * {@code syscalls[0].args[1].index}; {@code ""} at the top level.
     */
    public static String path(JsonParser p) {
        JsonStreamContext ctx = p.getParsingContext();
        JsonToken t = p.currentToken();
        // A START token has already opened its own context; its value sits in the enclosing one.
        if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && ctx.getParent() != null) ctx = ctx.getParent();
        return path(ctx);
    }

    /** The field path of the value that {@code ctx} is at. */
    static String path(JsonStreamContext ctx) {
        if (ctx == null || ctx.inRoot()) return "";
        String parent = path(ctx.getParent());
        if (ctx.inArray()) return parent + "[" + Math.max(ctx.getCurrentIndex(), 0) + "]";
        String name = ctx.getCurrentName();
        if (name == null) return parent;
        return parent.isEmpty() ? name : parent + "." + name;
    }

    /** {@code text} in double quotes, with quotes, backslashes and control characters escaped. */
    public static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
