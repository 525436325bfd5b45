package io.sandboxrun.core.policy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.PropertyName;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.sandboxrun.core.document.Location;
import io.sandboxrun.core.document.Reading;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Binds the policy records to Jackson from their {@link Setting} and {@link Section} declarations:
 * keys, a deserializer per setting that reads its {@link Kind.Shape} and parses with its
 * {@link Kind} (an error located at the value), a deserializer per section that insists on a
 * mapping, and a serializer per setting that writes what the deserializer reads back.
 */
final class PolicyBinding extends JacksonAnnotationIntrospector {
    private static final long serialVersionUID = 1L;

    /** What a policy read hands to the deserializers: where relative paths start, where each value stood. */
    record Input(Path base, String source, Map<String, PolicyOrigin> origins) {
        void origin(String path, Location at) {
            origins.put(path, new PolicyOrigin(source, at.line(), at.column(), path));
        }
    }

    @Override
    public PropertyName findNameForDeserialization(Annotated a) {
        RecordComponent c = component(a);
        return c != null ? PropertyName.construct(PolicySchema.key(c)) : super.findNameForDeserialization(a);
    }

    @Override
    public PropertyName findNameForSerialization(Annotated a) {
        RecordComponent c = component(a);
        return c != null ? PropertyName.construct(PolicySchema.key(c)) : super.findNameForSerialization(a);
    }

    /** A settings record's own methods ({@code Limits.isEmpty()}) are not keys: only its components are. */
    @Override
    public boolean hasIgnoreMarker(AnnotatedMember m) {
        if (m instanceof AnnotatedMethod method && method.getParameterCount() == 0
                && m.getDeclaringClass().isRecord() && settingsRecord(m.getDeclaringClass())) {
            return Arrays.stream(Records.components(m.getDeclaringClass())).noneMatch(c -> c.getName().equals(m.getName()));
        }
        return super.hasIgnoreMarker(m);
    }

    private static boolean settingsRecord(Class<?> type) {
        for (RecordComponent c : Records.components(type)) {
            if (c.getAnnotation(Setting.class) != null || c.getAnnotation(Section.class) != null) return true;
        }
        return false;
    }

    @Override
    public Object findDeserializer(Annotated a) {
        RecordComponent c = component(a);
        if (c == null) return super.findDeserializer(a);
        Setting s = c.getAnnotation(Setting.class);
        if (s != null) return new SettingReader(s.kind(), PolicySchema.container(c.getType()), PolicySchema.element(c));
        return new SectionReader(c.getType(), PolicySchema.what(c.getType(), c.getAnnotation(Section.class)));
    }

    @Override
    public Object findSerializer(Annotated a) {
        RecordComponent c = component(a);
        if (c == null || c.getAnnotation(Setting.class) == null) return super.findSerializer(a);
        return new SettingWriter(c.getAnnotation(Setting.class).kind(), PolicySchema.container(c.getType()));
    }

    /** The settings record component {@code a} stands for (its field, accessor or constructor parameter), or null. */
    private static RecordComponent component(Annotated a) {
        if (!(a instanceof AnnotatedMember m) || !m.getDeclaringClass().isRecord()) return null;
        if (!a.hasAnnotation(Setting.class) && !a.hasAnnotation(Section.class)) return null;
        RecordComponent[] cs = Records.components(m.getDeclaringClass());
        if (a instanceof AnnotatedParameter p) return cs[p.getIndex()];
        return cs[Records.index(m.getDeclaringClass(), m.getName())];
    }

    /** Reads one setting: a value, a list of them, or a map of entries. */
    private static final class SettingReader extends JsonDeserializer<Object> {
        private final Kind kind;
        private final PolicySchema.Container container;
        private final Class<?> element;

        SettingReader(Kind kind, PolicySchema.Container container, Class<?> element) {
            this.kind = kind;
            this.container = container;
            this.element = element;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Reading r = Reading.of(ctxt);
            Input in = r.attachment(Input.class);
            String path = Reading.path(p);
            Location at = Location.of(p);
            in.origin(path, at);
            return switch (container) {
                case ONE -> value(p, r, in, path, kind);
                case LIST -> list(p, ctxt, r, in, path);
                case MAP -> map(p, r, in, path);
            };
        }

        @Override
        public Object getNullValue(DeserializationContext ctxt) {
            JsonParser p = ctxt.getParser();
            Reading r = Reading.of(ctxt);
            if (kind.shape() == Kind.Shape.NULLABLE_STRING) {
                // No value: as if the key were left out, but an error about it can still point here.
                r.attachment(Input.class).origin(Reading.path(p), Location.of(p));
                return container == PolicySchema.Container.LIST ? List.of() : null;
            }
            String what = container == PolicySchema.Container.ONE ? shapeWhat(kind) : kind.what();
            throw r.expected(p, Reading.path(p), what);
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }

        private List<Object> list(JsonParser p, DeserializationContext ctxt, Reading r, Input in, String path)
                throws IOException {
            if (kind == Kind.COMMAND && p.currentToken() == JsonToken.VALUE_STRING) {
                String text = r.text(p);
                throw r.error(p, path, Reading.quote(text) + " is a single string; use a list of words, e.g. ["
                        + String.join(", ", text.trim().split("\\s+")) + "]");
            }
            if (p.currentToken() != JsonToken.START_ARRAY) throw r.expected(p, path, kind.what());
            Location at = Location.of(p);
            List<Object> out = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String field = path + "[" + out.size() + "]";
                in.origin(field, Location.of(p));
                out.add(element == null ? value(p, r, in, field, kind) : record(p, ctxt, r, field));
            }
            if (kind == Kind.COMMAND) {
                List<String> words = out.stream().map(String.class::cast).toList();
                located(r, at, path, () -> PolicyValues.command(path, words));
            }
            return out;
        }

        /** A list element that is a mapping of its own keys (an io throttle), and what it must hold. */
        private Object record(JsonParser p, DeserializationContext ctxt, Reading r, String field) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw r.expected(p, field, PolicySchema.mapping(PolicySchema.keys(element), ""));
            }
            Location at = Location.of(p);
            Object value = ctxt.readValue(p, element);
            return located(r, at, field, () -> kind.checkWhole(field, value));
        }

        private Map<Object, Object> map(JsonParser p, Reading r, Input in, String path) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) throw r.expected(p, path, kind.what());
            Map<Object, Object> out = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                Location keyAt = Location.of(p);
                p.nextToken();
                String field = path + "." + name;
                in.origin(field, Location.of(p));
                if (kind == Kind.ENV) {
                    String key = located(r, keyAt, path, () -> PolicyValues.envName(path, name));
                    out.put(key, located(r, Location.of(p), field, () -> PolicyValues.envValue(field, key, string(p, r, field))));
                } else {
                    Rlimit key = located(r, keyAt, path, () -> PolicyValues.rlimitName(path, name));
                    out.put(key, rlimit(p, r, field, key));
                }
            }
            return out;
        }

        /** One rlimit: a value for both soft and hard, or {soft: S, hard: H}. */
        private RlimitValue rlimit(JsonParser p, Reading r, String field, Rlimit limit) throws IOException {
            if (p.currentToken() != JsonToken.START_OBJECT) return RlimitValue.of(amount(p, r, field, limit));
            Location at = Location.of(p);
            Long soft = null;
            Long hard = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                if (!key.equals("soft") && !key.equals("hard")) {
                    throw r.error(Location.of(p), null, "unknown key " + Reading.quote(field + "." + key)
                            + "; known keys in " + field + ": hard, soft");
                }
                p.nextToken();
                long v = amount(p, r, field + "." + key, limit);
                if (key.equals("soft")) soft = v;
                else hard = v;
            }
            if (soft == null || hard == null) {
                throw r.error(at, field, "give both soft and hard (e.g. {soft: 1024, hard: 4096}), or one value for both");
            }
            long s = soft;
            long h = hard;
            return located(r, at, field, () -> PolicyValues.rlimitValue(field, s, h));
        }

        private static long amount(JsonParser p, Reading r, String field, Rlimit limit) {
            JsonToken t = p.currentToken();
            if (t != JsonToken.VALUE_STRING && !t.isNumeric()) throw r.expected(p, field, "a number, a size or unlimited");
            String text = r.text(p);
            String shown = t.isNumeric() ? text : Reading.quote(text);
            return located(r, Location.of(p), field, () -> PolicyValues.rlimitAmount(field, limit, text, shown));
        }

        /** One value of {@code kind}, written in its shape. */
        private static Object value(JsonParser p, Reading r, Input in, String field, Kind kind) {
            JsonToken t = p.currentToken();
            String text;
            String shown;
            switch (kind.shape()) {
                case STRING, NULLABLE_STRING -> {
                    text = string(p, r, field);
                    shown = Reading.quote(text);
                }
                case WORD -> {
                    if (t != JsonToken.VALUE_STRING && !t.isNumeric() && !t.isBoolean()) throw r.expected(p, field, "a word");
                    text = r.text(p);
                    shown = Reading.quote(text);
                }
                case SCALAR -> {
                    if (t != JsonToken.VALUE_STRING && !t.isNumeric()) throw r.expected(p, field, kind.what());
                    text = r.text(p);
                    shown = t.isNumeric() ? text : Reading.quote(text);
                }
                case NUMBER -> {
                    if (t == JsonToken.VALUE_STRING) {
                        throw r.error(p, field, Reading.quote(r.text(p)) + " is a string; write the number without quotes");
                    }
                    if (!t.isNumeric()) throw r.expected(p, field, "a whole number");
                    text = r.text(p);
                    shown = text;
                }
                case BOOLEAN -> {
                    if (t == JsonToken.VALUE_STRING) {
                        throw r.error(p, field, Reading.quote(r.text(p)) + " is not a boolean; use true or false, without quotes");
                    }
                    if (!t.isBoolean()) throw r.expected(p, field, "true or false");
                    return t == JsonToken.VALUE_TRUE;
                }
                default -> throw new IllegalStateException(kind + " is not read as a single value");
            }
            Kind.Base base = new Kind.Base(in.base(), false);
            return located(r, Location.of(p), field, () -> kind.parse(field, text, shown, base));
        }

        /** The current token as a string; numbers and booleans must be quoted to be strings. */
        private static String string(JsonParser p, Reading r, String field) {
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_STRING) return r.text(p);
            if (t.isNumeric() || t.isBoolean()) {
                String text = r.text(p);
                throw r.error(p, field, text + " is a " + (t.isNumeric() ? "number" : "boolean") + "; quote it ("
                        + Reading.quote(text) + ")");
            }
            throw r.expected(p, field, "a string");
        }

        private static String shapeWhat(Kind kind) {
            return switch (kind.shape()) {
                case STRING, NULLABLE_STRING -> "a string";
                case WORD -> "a word";
                case NUMBER -> "a whole number";
                case BOOLEAN -> "true or false";
                default -> kind.what();
            };
        }
    }

    /** Reads a section: a mapping, never anything else or nothing. */
    private static final class SectionReader extends JsonDeserializer<Object> {
        private final Class<?> type;
        private final String what;

        SectionReader(Class<?> type, String what) {
            this.type = type;
            this.what = what;
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Reading r = Reading.of(ctxt);
            String path = Reading.path(p);
            if (p.currentToken() != JsonToken.START_OBJECT) throw r.expected(p, path, what);
            r.attachment(Input.class).origin(path, Location.of(p));
            return ctxt.readValue(p, type);
        }

        @Override
        public Object getNullValue(DeserializationContext ctxt) {
            JsonParser p = ctxt.getParser();
            throw Reading.of(ctxt).expected(p, Reading.path(p), what);
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }
    }

    /** Writes one setting as its reader reads it back. */
    private static final class SettingWriter extends JsonSerializer<Object> {
        private final Kind kind;
        private final PolicySchema.Container container;

        SettingWriter(Kind kind, PolicySchema.Container container) {
            this.kind = kind;
            this.container = container;
        }

        @Override
        public void serialize(Object value, JsonGenerator g, SerializerProvider provider) throws IOException {
            switch (container) {
                case ONE -> one(value, g);
                case LIST -> {
                    g.writeStartArray();
                    for (Object v : (List<?>) value) {
                        if (kind.shape() == Kind.Shape.MAPPING) provider.defaultSerializeValue(v, g);
                        else one(v, g);
                    }
                    g.writeEndArray();
                }
                case MAP -> {
                    g.writeStartObject();
                    for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                        g.writeFieldName(PolicyLayer.entryKey(e.getKey()));
                        if (e.getValue() instanceof RlimitValue v) {
                            g.writeStartObject();
                            g.writeStringField("soft", RlimitValue.word(v.soft()));
                            g.writeStringField("hard", RlimitValue.word(v.hard()));
                            g.writeEndObject();
                        } else {
                            g.writeString(e.getValue().toString());
                        }
                    }
                    g.writeEndObject();
                }
            }
        }

        private void one(Object value, JsonGenerator g) throws IOException {
            switch (kind.shape()) {
                case NUMBER -> g.writeNumber(((Number) value).longValue());
                case BOOLEAN -> g.writeBoolean((Boolean) value);
                default -> g.writeString(kind.print(value));
            }
        }
    }

    /** Runs a check of the value of {@code field} that stands at {@code at}; its error is placed there. */
    private static <T> T located(Reading r, Location at, String field, Supplier<T> check) {
        return new PolicyOrigin(r.source(), at.line(), at.column(), field).check(check);
    }
}
