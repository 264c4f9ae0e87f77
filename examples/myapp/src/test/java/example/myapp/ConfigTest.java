package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {

    @TempDir
    Path tmp;

    @Test
    void defaults() {
        Config c = Config.parse(Map.of(), new String[0], null);
        assertEquals("0.0.0.0", c.addr());
        assertEquals(8080, c.port());
        assertEquals(30, c.drainTimeoutSec());
        assertEquals(Path.of("./data"), c.dataDir());
        assertEquals(0, c.shutdownDelayMs());
        assertNull(c.databaseUrl());
        assertNull(c.redisUrl());
        assertEquals("stable", c.track());
        assertEquals("human", c.logFormat());
        assertEquals("info", c.logLevel());
        assertTrue(c.debugEndpoints());
        assertEquals(65536, c.maxBodyBytes());
    }

    @Test
    void envAndFlags() {
        Map<String, String> env = Map.of("PORT", "9000", "ADDR", "127.0.0.1", "DRAIN_TIMEOUT", "5",
                "DATA_DIR", "/var/lib/myapp", "SHUTDOWN_DELAY_MS", "250", "TRACK", "canary");
        Config e = Config.parse(env, new String[0], null);
        assertEquals(9000, e.port());
        assertEquals("127.0.0.1", e.addr());
        assertEquals(5, e.drainTimeoutSec());
        assertEquals(Path.of("/var/lib/myapp"), e.dataDir());
        assertEquals(250, e.shutdownDelayMs());
        assertEquals("canary", e.track());
        Config c = Config.parse(env, new String[] {"--port", "9001", "--addr=::1"}, null);
        assertEquals(9001, c.port());
        assertEquals("::1", c.addr());
        assertEquals(9002, Config.parse(env, new String[] {"--port=9002"}, null).port());
    }

    @Test
    void emptyEnvValuesMeanDefault() {
        assertEquals(8080, Config.parse(Map.of("PORT", ""), new String[0], null).port());
    }

    @Test
    void layersDefaultsResourceThenFileThenEnv() throws Exception {
        Path res = Files.createDirectories(tmp.resolve("cp"));
        Files.writeString(res.resolve(Config.DEFAULTS_RESOURCE),
                "log.format=json\ndebug.endpoints=false\ncache.ttl=5\nlog.level=warn\n");
        Path file = Files.writeString(tmp.resolve("myapp.properties"), "cache.ttl=7\nlog.level=debug\n");
        try (URLClassLoader cl = new URLClassLoader(new URL[] {res.toUri().toURL()}, null)) {
            Config onlyResource = Config.parse(Map.of(), new String[0], cl);
            assertEquals("json", onlyResource.logFormat());
            assertFalse(onlyResource.debugEndpoints());
            assertEquals(5, onlyResource.cacheTtlSec());

            Config withFile = Config.parse(Map.of(), new String[] {"--config", file.toString()}, cl);
            assertEquals(7, withFile.cacheTtlSec(), "file wins over the defaults resource");
            assertEquals("debug", withFile.logLevel());
            assertEquals("json", withFile.logFormat(), "resource value kept where the file is silent");
            assertEquals(file, withFile.configFile());

            Config withEnv = Config.parse(Map.of("CACHE_TTL", "9"), new String[] {"--config=" + file}, cl);
            assertEquals(9, withEnv.cacheTtlSec(), "env wins over the file");
            assertEquals("debug", withEnv.logLevel());
        }
    }

    @Test
    void badValuesGiveOneLineMessagesNamingTheSource() throws Exception {
        assertEquals("PORT: not an integer: \"http\"", message(Map.of("PORT", "http")));
        assertEquals("PORT: 70000 out of range [0, 65535]", message(Map.of("PORT", "70000")));
        assertEquals("DRAIN_TIMEOUT: -1 out of range [0, 86400]", message(Map.of("DRAIN_TIMEOUT", "-1")));
        assertEquals("TRACK: \"blue\" is not one of stable, canary", message(Map.of("TRACK", "blue")));
        assertEquals("LOG_FORMAT: \"xml\" is not one of human, json", message(Map.of("LOG_FORMAT", "xml")));
        assertEquals("DATABASE_URL: must start with postgres://, postgresql:// or jdbc:",
                message(Map.of("DATABASE_URL", "mysql://x/y")));
        assertEquals("REDIS_URL: must start with redis://", message(Map.of("REDIS_URL", "localhost:6379")));
        assertEquals("TRUSTED_PROXIES: \"10.0.0.0/33\" has a bad prefix length",
                message(Map.of("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/33")));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of(), new String[] {"--port"}, null));
        assertThrows(IllegalArgumentException.class, () -> Config.parse(Map.of(), new String[] {"--bogus"}, null));

        Path file = Files.writeString(tmp.resolve("bad.properties"), "cache.ttl=0\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Config.parse(Map.of(), new String[] {"--config", file.toString()}, null));
        assertEquals(file + " cache.ttl: 0 out of range [1, 86400]", e.getMessage());
        Path typo = Files.writeString(tmp.resolve("typo.properties"), "cache.tll=5\n");
        e = assertThrows(IllegalArgumentException.class,
                () -> Config.parse(Map.of(), new String[] {"--config", typo.toString()}, null));
        assertTrue(e.getMessage().startsWith(typo + ": unknown key cache.tll (known: port, addr,"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Config.parse(Map.of(), new String[] {"--config", tmp.resolve("missing").toString()}, null));
        assertEquals(tmp.resolve("missing") + ": no such file", e.getMessage());
    }

    private static String message(Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> Config.parse(env, new String[0], null)).getMessage();
    }
}
