package io.sandboxrun.core.document;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one JSON or YAML document into a type with Jackson databind, so that every error names the
 * document, the line and column, the field path, the value and what is allowed: syntax errors,
 * unknown keys (with the known ones), duplicate keys, a wrong kind of value, and whatever the
 * document's own deserializers raise through {@link Reading}. Shared by policy files and seccomp
 * profiles.
 *
 * @param <E> the exception type of this kind of document
 */
public final class DocumentReader<E extends LocatedException> {
    private static final Pattern JACKSON_SOURCE = Pattern.compile("\\[Source: [^\\]]*; line: (\\d+), column: (\\d+)\\]");

    /** The two notations; YAML is read as people write it (see {@link #mapper(Format)}). */
    public enum Format { JSON, YAML }

    /**
     * How this kind of document words its whole-file errors.
     *
     * @param empty    the detail for a document with no content ({@code empty policy file})
     * @param topLevel the detail for a top level of the wrong kind, completed by what it is
     *                 ({@code the top level must be a mapping of keys (e.g. app: hello), not })
     * @param trailing the detail for content after the document
     * @param mapping  how a mapping is called in messages: {@code a mapping} or {@code an object}
     * @param nothing  how a null is called: {@code no value} or {@code null}
     */
    public record Style(String empty, String topLevel, String trailing, String mapping, String nothing) {}

    private final ObjectMapper mapper;
    private final LocatedException.Factory<E> errors;
    private final Style style;
    private final BiFunction<String, Class<?>, String> expected;

    /**
     * @param mapper   from {@link #mapper(Format)}, with the document's own module added
     * @param expected what a field of a type holds, for a value of the wrong kind that databind
     *                 itself finds ({@code a list of rules}); given the field path and the type
     */
    public DocumentReader(ObjectMapper mapper, LocatedException.Factory<E> errors, Style style,
                          BiFunction<String, Class<?>, String> expected) {
        this.mapper = mapper;
        this.errors = errors;
        this.style = style;
        this.expected = expected;
    }

    /**
     * A mapper for {@code format} as documents need it: unknown keys are errors, errors thrown by
     * deserializers come out unwrapped, and YAML reads {@code key:} as no value, a file of comments
     * as empty, and only true/false as booleans (YAML 1.2: {@code off}, {@code on} and {@code yes}
     * stay words).
     */
    public static ObjectMapper mapper(Format format) {
        JsonFactory factory = format == Format.JSON ? JsonFactory.builder().build() : YAMLFactory.builder()
                .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
                .disable(YAMLParser.Feature.EMPTY_DOCUMENT_AS_EMPTY_OBJECT)
                .enable(YAMLParser.Feature.PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS)
                .build();
        return new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.WRAP_EXCEPTIONS);
    }

    /** The format a file name asks for: YAML for {@code .yaml}/{@code .yml}, JSON for {@code .json}, else null. */
    public static Format formatOf(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".json")) return Format.JSON;
        if (name.endsWith(".yaml") || name.endsWith(".yml")) return Format.YAML;
        return null;
    }

    /**
     * The bytes of {@code file}, at most {@code maxBytes}; errors name it {@code name}.
     *
     * @param tooLarge the detail when it is larger
     */
    public byte[] readFile(Path file, String name, int maxBytes, String tooLarge) {
        try {
            if (Files.isDirectory(file)) throw errors.create(name, 0, 0, null, "cannot read: is a directory");
            if (Files.size(file) > maxBytes) throw errors.create(name, 0, 0, null, tooLarge);
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw errors.create(name, 0, 0, null, "cannot read: no such file");
        } catch (AccessDeniedException e) {
            throw errors.create(name, 0, 0, null, "cannot read: permission denied");
        } catch (IOException e) {
            throw errors.create(name, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Reads {@code bytes}, written in the notation this reader's mapper was made for, as one
     * {@code type}; {@code attachment} is handed to the document's deserializers through
     * {@link Reading#attachment(Class)}.
     *
     * @throws E for any problem, located where the document shows it
     */
    public <T> T read(byte[] bytes, String source, Class<T> type, Object attachment) {
        return read(bytes, source, type, attachment, (value, reading) -> value);
    }

    /**
     * Reads as {@link #read(byte[], String, Class, Object)}, then hands the value to {@code finish}
     * with the reading, for checks that need more than one value (a key missing from a list
     * element, two rules in conflict) and still point where the document shows the problem
     * ({@link Reading#valueLocation}, {@link Reading#keyLocation}).
     *
     * @throws E for any problem, also those {@code finish} raises through the reading
     */
    public <T, R> R read(byte[] bytes, String source, Class<T> type, Object attachment,
                         BiFunction<? super T, Reading, R> finish) {
        E encoding = notUtf8(bytes, source);
        if (encoding != null) throw encoding;
        Reading reading = new Reading(source, errors, style, attachment);
        String notation = mapper.getFactory() instanceof YAMLFactory ? "YAML" : "JSON";
        try (JsonParser parser = new KeyTracker(mapper.getFactory().createParser(bytes), reading)) {
            try {
                JsonToken first = parser.nextToken();
                if (first == null || first == JsonToken.VALUE_NULL) throw errors.create(source, 0, 0, null, style.empty());
                if (first != JsonToken.START_OBJECT) throw reading.error(parser, null, style.topLevel() + reading.describe(parser));
                T value = mapper.readerFor(type).withAttribute(Reading.class, reading).readValue(parser);
                if (parser.nextToken() != null) throw reading.error(parser, null, style.trailing());
                return finish.apply(value, reading);
            } catch (UnrecognizedPropertyException e) {
                throw unknownKey(reading, parser, e);
            } catch (MismatchedInputException e) {
                throw mismatch(reading, parser, e);
            } catch (JsonMappingException e) {
                throw unwrap(reading, parser, notation, e);
            } catch (StreamReadException e) {
                throw syntax(source, notation, e);
            }
        } catch (IOException e) {
            throw errors.create(source, 0, 0, null, "cannot read: " + e.getMessage());
        }
    }

    /**
     * Databind reports an unknown key either where it stands (the parser on its value) or, for a
     * record still collecting its constructor's arguments, once the whole mapping is read (the
     * parser on the mapping's end, its context the mapping's place). The key's own place was
     * remembered on the way.
     */
    private LocatedException unknownKey(Reading reading, JsonParser parser, UnrecognizedPropertyException e) {
        String path;
        if (parser.currentToken() == JsonToken.END_OBJECT) {
            String mapping = Reading.path(parser.getParsingContext());
            path = mapping.isEmpty() ? e.getPropertyName() : mapping + "." + e.getPropertyName();
        } else {
            path = Reading.path(parser);
        }
        String parent = path.substring(0, Math.max(0, path.length() - e.getPropertyName().length() - 1));
        // Case aside, so that camelCase keys read as a reader looks them up: architectures, archMap, defaultAction.
        List<String> known = e.getKnownPropertyIds().stream().map(Object::toString)
                .sorted(String.CASE_INSENSITIVE_ORDER.thenComparing(Comparator.naturalOrder())).collect(Collectors.toList());
        return reading.error(reading.keyLocation(path), null, "unknown key " + Reading.quote(path) + "; known keys"
                + (parent.isEmpty() ? "" : " in " + parent) + ": " + String.join(", ", known));
    }

    /** A value databind's own deserializers could not take; the parser stands on it. */
    private LocatedException mismatch(Reading reading, JsonParser parser, MismatchedInputException e) {
        String path = Reading.path(parser);
        Class<?> target = e.getTargetType();
        String what = target == null ? null : expected.apply(path, target);
        if (what == null) return reading.error(parser, path.isEmpty() ? null : path, firstLine(e.getOriginalMessage()));
        return reading.expected(parser, path.isEmpty() ? null : path, what);
    }

    /**
     * An error databind wrapped while it built a value: a located one passes as it is, and a syntax
     * error (which databind's list deserializer wraps even with WRAP_EXCEPTIONS off) reads as one.
     */
    private LocatedException unwrap(Reading reading, JsonParser parser, String notation, JsonMappingException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof LocatedException located) return located;
            if (c instanceof StreamReadException syntax) return syntax(reading.source(), notation, syntax);
        }
        String path = Reading.path(parser);
        return reading.error(parser, path.isEmpty() ? null : path, firstLine(e.getOriginalMessage()));
    }

    private E syntax(String source, String notation, StreamReadException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException y) {
                Mark m = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
                String problem = y.getProblem() != null ? y.getProblem() : y.getContext();
                if (m != null && problem != null) {
                    Mark cm = y.getContextMark();
                    String context = y.getProblem() != null && y.getContext() != null && cm != null
                            ? " (" + firstLine(y.getContext()) + " started at " + (cm.getLine() + 1) + ":"
                              + (cm.getColumn() + 1) + ")"
                            : "";
                    return errors.create(source, m.getLine() + 1, m.getColumn() + 1, null,
                            "invalid " + notation + ": " + firstLine(problem) + context);
                }
            }
        }
        JsonLocation l = e.getLocation();
        String reason = JACKSON_SOURCE.matcher(firstLine(e.getOriginalMessage())).replaceAll("$1:$2");
        return l == null ? errors.create(source, 0, 0, null, "invalid " + notation + ": " + reason)
                : errors.create(source, l.getLineNr(), l.getColumnNr(), null, "invalid " + notation + ": " + reason);
    }

    /**
     * The error for the first byte sequence that is not UTF-8, or null when there is none. Checked
     * before parsing: the parsers report it as a {@code CharConversionException} without a usable
     * place, or inside whatever value they were reading. The column counts characters.
     */
    private E notUtf8(byte[] bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult r = decoder.decode(in, CharBuffer.allocate(bytes.length), true);
        if (!r.isError()) return null;
        int offset = in.position();
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset; i++) {
            if (bytes[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        String before = new String(bytes, lineStart, offset - lineStart, StandardCharsets.UTF_8);
        int column = before.codePointCount(0, before.length()) + 1;
        StringBuilder shown = new StringBuilder();
        for (int i = offset; i < offset + r.length(); i++) {
            shown.append(shown.length() == 0 ? "" : " ").append(String.format("0x%02x", bytes[i] & 0xff));
        }
        return errors.create(source, line, column, null, "not UTF-8: invalid byte" + (r.length() > 1 ? "s " : " ")
                + shown + " at byte offset " + offset + "; save the file as UTF-8");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
