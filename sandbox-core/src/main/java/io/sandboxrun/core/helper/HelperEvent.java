package io.sandboxrun.core.helper;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** One JSON line {@code sandbox-init} wrote on its log fd (docs/helper-protocol.md). */
public sealed interface HelperEvent {
    /** A setup failure: the stage and stable step name, the errno (0 if none) and the message. */
    record Error(String stage, String step, int errno, String errname, String message) implements HelperEvent {}

    /** The Landlock outcome: {@code enforced}, {@code not-enforced} or {@code off}, with the ABI. */
    record LandlockStatus(int abi, String status) implements HelperEvent {}

    /** The command was executed as {@code pid} inside the sandbox. */
    record Exec(int pid) implements HelperEvent {}

    /** The app ended: with {@code code}, or killed by {@code signal}. */
    record Exit(Integer code, Integer signal, boolean core) implements HelperEvent {}

    /** A line this launcher does not know (a newer helper, or a debug line): kept for the log. */
    record Other(String line) implements HelperEvent {}

    /**
     * Parses one line; never throws: unparseable lines become {@link Other}. Uses the streaming
     * parser only (the lines are flat objects), so a launch does not load Jackson's databind.
     */
    static HelperEvent parse(String line) {
        Map<String, Object> f = Flat.fields(line);
        if (f == null) return new Other(line);
        if ("error".equals(f.get("level"))) {
            return new Error(Flat.text(f, "stage", "?"), Flat.text(f, "step", "?"), Flat.integer(f, "errno", 0),
                    Flat.text(f, "errname", ""), Flat.text(f, "msg", ""));
        }
        Object event = f.get("event");
        if ("landlock".equals(event)) return new LandlockStatus(Flat.integer(f, "abi", 0), Flat.text(f, "status", "?"));
        if ("exec".equals(event)) return new Exec(Flat.integer(f, "pid", 0));
        if ("exit".equals(event)) {
            return new Exit(f.get("code") instanceof Number n ? n.intValue() : null,
                    f.get("signal") instanceof Number n ? n.intValue() : null, Boolean.TRUE.equals(f.get("core")));
        }
        return new Other(line);
    }

    /** A flat JSON object's scalar fields. */
    final class Flat {
        private static final JsonFactory JSON = new JsonFactory();

        /** The fields, or null when the line is not a flat JSON object. */
        static Map<String, Object> fields(String line) {
            try (JsonParser p = JSON.createParser(line)) {
                if (p.nextToken() != JsonToken.START_OBJECT) return null;
                Map<String, Object> out = new HashMap<>();
                for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (v) {
                        case VALUE_STRING: out.put(name, p.getText()); break;
                        case VALUE_NUMBER_INT: out.put(name, p.getLongValue()); break;
                        case VALUE_TRUE: out.put(name, Boolean.TRUE); break;
                        case VALUE_FALSE: out.put(name, Boolean.FALSE); break;
                        case VALUE_NULL: out.put(name, null); break;
                        default: return null;   // nested values: not a line we know
                    }
                }
                return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? out : null;
            } catch (IOException e) {
                return null;
            }
        }

        static String text(Map<String, Object> f, String key, String absent) {
            return f.get(key) instanceof String s ? s : absent;
        }

        static int integer(Map<String, Object> f, String key, int absent) {
            return f.get(key) instanceof Number n ? n.intValue() : absent;
        }

        private Flat() {}
    }
}
