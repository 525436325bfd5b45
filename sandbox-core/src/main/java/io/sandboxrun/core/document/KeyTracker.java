package io.sandboxrun.core.document;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;

/**
 * Watches every token on its way to databind: remembers where each key stands (databind reports
 * an unknown key only once the whole mapping is read, far from it), refuses a key given twice, and
 * refuses YAML aliases (Jackson reads one as a string holding the anchor's name).
 */
final class KeyTracker extends JsonParserDelegate {
    private final Reading reading;

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
            String path = Reading.path(this);
            if (!reading.key(path, Location.of(this))) throw reading.error(this, null, "duplicate key " + Reading.quote(path));
        }
        return t;
    }

    @Override
    public JsonToken nextValue() throws IOException {
        JsonToken t = nextToken();
        return t == JsonToken.FIELD_NAME ? nextToken() : t;
    }
}
