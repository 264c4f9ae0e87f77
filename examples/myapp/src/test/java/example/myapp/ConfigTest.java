package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ConfigTest {

    @Test
    void defaults() {
        Config c = Config.parse(Map.of(), new String[0]);
        assertEquals(new Config("0.0.0.0", 8080, 30, Path.of("./data"), 0), c);
    }

    @Test
    void envAndFlags() {
        Map<String, String> env = Map.of("PORT", "9000", "ADDR", "127.0.0.1", "DRAIN_TIMEOUT", "5",
                "DATA_DIR", "/var/lib/myapp", "SHUTDOWN_DELAY_MS", "250");
        assertEquals(new Config("127.0.0.1", 9000, 5, Path.of("/var/lib/myapp"), 250),
                Config.parse(env, new String[0]));
        Config c = Config.parse(env, new String[] {"--port", "9001", "--addr=::1"});
        assertEquals(9001, c.port());
        assertEquals("::1", c.addr());
        assertEquals(9002, Config.parse(env, new String[] {"--port=9002"}).port());
    }

    @Test
    void emptyEnvValuesMeanDefault() {
        assertEquals(8080, Config.parse(Map.of("PORT", ""), new String[0]).port());
    }

    @Test
    void invalidValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of("PORT", "http"), new String[0]));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of("PORT", "70000"), new String[0]));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of("DRAIN_TIMEOUT", "-1"), new String[0]));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of(), new String[] {"--port"}));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of(), new String[] {"--bogus"}));
    }
}
