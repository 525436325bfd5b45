package io.sandboxrun.core.document;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the shared reader remembers for a document's own checks, and how it words what databind finds. */
class DocumentReaderTest {
    record Item(String id, Integer size) {}

    record Doc(String name, List<Item> items, List<String> tags, Item main, String camelCase) {}

    static final class DocException extends LocatedException {
        private static final long serialVersionUID = 1L;

        DocException(String source, int line, int column, String field, String detail) {
            super(source, line, column, field, detail);
        }
    }

    private static final DocumentReader<DocException> READER = new DocumentReader<>(
            DocumentReader.mapper(DocumentReader.Format.JSON), DocException::new,
            new DocumentReader.Style("empty", "not a mapping: ", "trailing", "an object", "null"), (path, type) -> null);

    private static final String JSON = """
            {
              "name": "n",
              "items": [
                {"id": "a"},
                {"id": "b", "size": null}
              ],
              "tags": ["x", "y"],
              "main": {"id": "m"}
            }""";

    private static <R> R read(String json, java.util.function.BiFunction<Doc, Reading, R> finish) {
        return READER.read(json.getBytes(StandardCharsets.UTF_8), "doc.json", Doc.class, null, finish);
    }

    @Test
    void remembersWhereValuesStartForChecksMadeAfterReading() {
        List<Location> at = read(JSON, (doc, r) -> List.of(r.valueLocation(""), r.valueLocation("name"),
                r.valueLocation("items"), r.valueLocation("items[1]"), r.valueLocation("items[1].size"),
                r.valueLocation("main"), r.valueLocation("tags[0]"), r.valueLocation("nothing")));

        assertEquals(List.of(new Location(1, 1), new Location(2, 11), new Location(3, 12), new Location(5, 5),
                new Location(5, 25), new Location(8, 11), Location.UNKNOWN, Location.UNKNOWN), at);
    }

    @Test
    void finishHandsBackItsValueAndItsErrorsStandWhereTheyPoint() {
        assertEquals("n", read(JSON, (doc, r) -> doc.name()));

        DocException e = assertThrows(DocException.class, () -> read(JSON, (doc, r) -> {
            if (doc.items().get(1).size() == null) throw r.error(r.valueLocation("items[1]"), "items[1]", "no size");
            return doc;
        }));

        assertEquals("doc.json:5:5: items[1]: no size", e.getMessage());
    }

    @Test
    void knownKeysAreListedAsAReaderLooksThemUpWhateverTheirCase() {
        DocException e = assertThrows(DocException.class, () -> read("{\"nmae\": 1}", (doc, r) -> doc));

        assertEquals("doc.json:1:2: unknown key \"nmae\"; known keys: camelCase, items, main, name, tags", e.getMessage());
    }

    @Test
    void aSyntaxErrorInsideAListOfMappingsIsOne() {
        // Databind's list deserializer wraps what the parser throws, even with WRAP_EXCEPTIONS off.
        DocException e = assertThrows(DocException.class, () -> read("{\"items\": [{\"id\": \"a\",}]}", (doc, r) -> doc));

        assertTrue(e.getMessage().startsWith("doc.json:1:23: invalid JSON: Unexpected character ('}'"), e.getMessage());
    }

    @Test
    void locationsOrderAsTheDocumentReads() {
        assertTrue(new Location(2, 1).compareTo(new Location(1, 40)) > 0);
        assertTrue(new Location(3, 5).compareTo(new Location(3, 7)) < 0);
        assertTrue(Location.UNKNOWN.compareTo(new Location(1, 1)) < 0);
        assertEquals(0, new Location(4, 4).compareTo(new Location(4, 4)));
    }
}
