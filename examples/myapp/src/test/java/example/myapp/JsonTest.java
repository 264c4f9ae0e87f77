package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void escapesSpecialCharacters() {
        assertEquals("a\\\"b\\\\c", Json.escape("a\"b\\c"));
        assertEquals("\\n\\r\\t\\b\\f", Json.escape("\n\r\t\b\f"));
        assertEquals("\\u0000\\u001f\\u007f", Json.escape("\u0000\u001f\u007f"));
        assertEquals("\\u2028\\u2029", Json.escape("\u2028\u2029"));
        assertEquals("héllo ✓ /</script>", Json.escape("héllo ✓ /</script>"));
    }

    @Test
    void quoteHandlesNull() {
        assertEquals("null", Json.quote(null));
        assertEquals("\"x\\\"\"", Json.quote("x\""));
    }

    @Test
    void rendersNestedObjectsInOrder() {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("storage", "unhealthy: \"bad\"");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "unhealthy");
        m.put("n", 3);
        m.put("ok", false);
        m.put("none", null);
        m.put("checks", checks);
        assertEquals("{\"status\":\"unhealthy\",\"n\":3,\"ok\":false,\"none\":null,"
                + "\"checks\":{\"storage\":\"unhealthy: \\\"bad\\\"\"}}", Json.object(m));
    }

    @Test
    void rejectsUnsupportedValues() {
        assertThrows(IllegalArgumentException.class, () -> Json.object(Map.of("x", new Object())));
        assertThrows(IllegalArgumentException.class, () -> Json.object(Map.of("x", Double.NaN)));
    }

    @Test
    void htmlEscape() {
        assertEquals("&lt;b a=&quot;1&quot; b=&#39;2&#39;&gt;&amp;", Html.escape("<b a=\"1\" b='2'>&"));
        assertEquals("<p>&lt;x&gt; {{other}}</p>",
                Html.render("<p>{{v}} {{other}}</p>", Map.of("v", "<x>")));
    }
}
