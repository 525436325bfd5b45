package io.sandboxrun.core.document;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;

/**
 * Watches every token on its way to databind: remembers where each key and value stands (databind
 * reports an unknown key only once the whole mapping is read, far from it, and a document's own
 * checks may come later still), refuses a key given twice, and refuses YAML aliases (Jackson reads
 * one as a string holding the anchor's name).
 */
final class KeyTracker extends JsonParserDelegate {
    private final Reading reading;
    /** The path of the key just read, until its value's first token arrives. */
    private String key;

    KeyTracker(JsonParser parser, Reading reading) {
        super(parser);
        this.reading = reading;
    }

    @Override
    public JsonToken nextToken() throws IOException {
        JsonToken t = delegate.nextToken();
        if (delegate instanceof YAMLParser y && y.isCurrentAlias()) {
            throw reading.error(this, null, "YAML aliases (*" + y.getText() + ") are not supported; write the value out");
        }
        if (t == JsonToken.FIELD_NAME) {
            key = Reading.path(this);
            if (!reading.key(key, Location.of(this))) throw reading.error(this, null, "duplicate key " + Reading.quote(key));
        } else if (t != null && !t.isStructEnd()) {
            // A key's value shares the key's path. Elsewhere (the top level, inside a list) only a
            // mapping or list is remembered: the path costs a walk up the contexts, and a plain
            // list element is checked where it stands.
            if (key != null) reading.value(key, Location.of(this));
            else if (t.isStructStart()) reading.value(Reading.path(this), Location.of(this));
            key = null;
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }
}
