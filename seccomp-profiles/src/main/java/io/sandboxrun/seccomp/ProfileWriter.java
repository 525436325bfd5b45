package io.sandboxrun.seccomp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.List;

/**
 * Writes a profile back as OCI seccomp JSON: for learnt profiles, and as the canonical content a
 * compiled filter's hash is taken over (the source name and notes are not content).
 */
public final class ProfileWriter {
    /** Indented JSON, one rule entry after another, ending with a newline. */
    public static String toJson(Profile p) {
        return write(p, true);
    }

    /** The same content as compact JSON: equal for profiles that say the same. */
    public static String canonical(Profile p) {
        return write(p, false);
    }

    private static String write(Profile p, boolean pretty) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            if (pretty) g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("defaultAction", p.defaultAction().kind().ociName());
            if (p.defaultAction().kind().takesData()) g.writeNumberField("defaultErrnoRet", p.defaultAction().data());
            strings(g, "architectures", p.architectures());
            strings(g, "flags", p.flags());
            g.writeArrayFieldStart("syscalls");
            for (SyscallEntry e : p.syscalls()) entry(g, e);
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pretty ? out + "\n" : out.toString();
    }

    private static void entry(JsonGenerator g, SyscallEntry e) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("names");
        for (String n : e.names()) g.writeString(n);
        g.writeEndArray();
        g.writeStringField("action", e.action().kind().ociName());
        if (e.action().kind().takesData()) g.writeNumberField("errnoRet", e.action().data());
        if (!e.args().isEmpty()) {
            g.writeArrayFieldStart("args");
            for (ArgCondition c : e.args()) {
                g.writeStartObject();
                g.writeNumberField("index", c.index());
                g.writeFieldName("value");
                g.writeNumber(unsigned(c.value()));
                if (c.valueTwo() != 0) {
                    g.writeFieldName("valueTwo");
                    g.writeNumber(unsigned(c.valueTwo()));
                }
                g.writeStringField("op", c.op().ociName());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (e.comment() != null) g.writeStringField("comment", e.comment());
        selector(g, "includes", e.includes());
        selector(g, "excludes", e.excludes());
        g.writeEndObject();
    }

    private static void selector(JsonGenerator g, String key, Selector s) throws IOException {
        if (s.isEmpty()) return;
        g.writeObjectFieldStart(key);
        strings(g, "caps", s.caps());
        strings(g, "arches", s.arches());
        if (s.minKernel() != null) g.writeStringField("minKernel", s.minKernel());
        g.writeEndObject();
    }

    private static void strings(JsonGenerator g, String key, List<String> values) throws IOException {
        if (values.isEmpty()) return;
        g.writeArrayFieldStart(key);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }

    private static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }

    private ProfileWriter() {}
}
