package example.myapp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.RedisClient;

/**
 * myapp against a real PostgreSQL and a real Redis, both started by the test on free loopback
 * ports. The last tests stop them to check that readiness names the failed dependency.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackingServicesTest {

    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    Path tmp;

    PgServer pg;
    RedisServer redis;
    App app;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        Main.applyHttpLimits();
        pg = PgServer.start(tmp);
        redis = RedisServer.start(tmp);
        app = App.start(TestConfig.local(tmp.resolve("data"), "DATABASE_URL", pg.url(), "REDIS_URL", redis.url(),
                "CACHE_TTL", "120"), BuildInfo.load(null));
        assertTrue(app.awaitSchema(20_000), "schema not ready on PostgreSQL");
    }

    @AfterAll
    void stop() throws Exception {
        if (app != null) {
            app.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    private static long id(HttpResponse<String> created) {
        Matcher m = ID.matcher(created.body());
        assertTrue(m.find(), created.body());
        return Long.parseLong(m.group(1));
    }

    @Test
    @Order(1)
    void notesRoundTripThroughPostgres() throws Exception {
        HttpResponse<String> created = TestHttp.post(app.port(), "/api/notes", "{\"title\":\"pg\",\"body\":\"stored in postgres\"}");
        assertEquals(201, created.statusCode(), created.body());
        long id = id(created);
        assertEquals("/api/notes/" + id, created.headers().firstValue("location").orElse(""));

        // The row is really in PostgreSQL, not somewhere else.
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.port + "/postgres", "postgres", "");
             ResultSet rs = c.createStatement().executeQuery("SELECT title, body FROM notes WHERE id = " + id)) {
            assertTrue(rs.next());
            assertEquals("pg", rs.getString(1));
            assertEquals("stored in postgres", rs.getString(2));
        }
        HttpResponse<String> got = TestHttp.get(app.port(), "/api/notes/" + id);
        assertEquals(200, got.statusCode());
        assertEquals(created.body(), got.body());
        assertEquals(404, TestHttp.get(app.port(), "/api/notes/" + (id + 1000)).statusCode());
    }

    @Test
    @Order(2)
    void secondReadIsACacheHitVisibleInRedis() throws Exception {
        long id = id(TestHttp.post(app.port(), "/api/notes", "{\"title\":\"cached\",\"body\":\"b\"}"));
        try (RedisClient r = RedisClient.create("127.0.0.1", redis.port)) {
            assertTrue(!r.exists(NoteCache.key(id)), "not cached before the first read");
            HttpResponse<String> first = TestHttp.get(app.port(), "/api/notes/" + id);
            assertEquals("miss", first.headers().firstValue("x-cache").orElse(""));
            assertTrue(r.exists(NoteCache.key(id)), "cached after the first read");
            long ttl = r.ttl(NoteCache.key(id));
            assertTrue(ttl > 100 && ttl <= 120, "TTL from CACHE_TTL=120: " + ttl);

            HttpResponse<String> second = TestHttp.get(app.port(), "/api/notes/" + id);
            assertEquals("hit", second.headers().firstValue("x-cache").orElse(""));
            assertEquals(first.body(), second.body());

            // A value planted in Redis is what the service returns: the read came from the cache.
            r.set(NoteCache.key(id), "{\"id\":" + id + ",\"title\":\"from redis\"}");
            assertTrue(TestHttp.get(app.port(), "/api/notes/" + id).body().contains("from redis"));
        }
    }

    @Test
    @Order(3)
    void readyListsEveryCheck() throws Exception {
        HttpResponse<String> r = TestHttp.get(app.port(), "/health/ready");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"checks\":{\"storage\":\"ok\",\"database\":\"ok\",\"redis\":\"ok\"}"), r.body());
    }

    @Test
    @Order(4)
    void redisStoppedMakesReadinessNameRedisAndReadsFallBack() throws Exception {
        long id = id(TestHttp.post(app.port(), "/api/notes", "{\"title\":\"fallback\",\"body\":\"b\"}"));
        redis.stopServer();
        try {
            HttpResponse<String> r = TestHttp.get(app.port(), "/health/ready");
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"database\":\"ok\""), r.body());
            assertTrue(r.body().contains("\"redis\":\"unhealthy: "), r.body());
            assertEquals(200, TestHttp.get(app.port(), "/health/live").statusCode());
            // Reads still work from the database.
            HttpResponse<String> got = TestHttp.get(app.port(), "/api/notes/" + id);
            assertEquals(200, got.statusCode(), got.body());
            assertTrue(got.body().contains("fallback"));
        } finally {
            redis.startServer();
        }
        assertEquals(200, TestHttp.get(app.port(), "/health/ready").statusCode());
    }

    @Test
    @Order(5)
    void postgresStoppedMakesReadinessNameTheDatabaseWhileLivenessStays200() throws Exception {
        pg.stopServer();
        HttpResponse<String> r = TestHttp.get(app.port(), "/health/ready");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().startsWith("{\"status\":\"unhealthy\""), r.body());
        assertTrue(r.body().contains("\"database\":\"unhealthy: "), r.body());
        assertTrue(r.body().contains("\"redis\":\"ok\""), r.body());
        assertEquals(200, TestHttp.get(app.port(), "/health/live").statusCode());
        assertEquals(503, TestHttp.post(app.port(), "/api/notes", "{\"title\":\"t\",\"body\":\"b\"}").statusCode());

        pg.startServer();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int code = 0;
        for (int i = 0; i < 60 && System.nanoTime() < deadline && code != 200; i++) {
            code = TestHttp.get(app.port(), "/health/ready").statusCode();
            Thread.sleep(200);
        }
        assertEquals(200, code, "ready again after PostgreSQL is back");
    }

    /** A listener that never accepts: connects succeed (kernel backlog), nothing ever answers. */
    @Test
    @Order(6)
    void eachCheckAnswersWithinAbout2sAgainstABlackHoledPort() throws Exception {
        try (ServerSocket hole = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             App stuck = App.start(TestConfig.local(tmp.resolve("data2"),
                     "DATABASE_URL", "postgres://postgres@127.0.0.1:" + hole.getLocalPort() + "/postgres",
                     "REDIS_URL", "redis://127.0.0.1:" + hole.getLocalPort()), BuildInfo.load(null))) {
            for (int i = 0; i < 2; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = TestHttp.get(stuck.port(), "/health/ready");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertEquals(503, r.statusCode(), r.body());
                assertTrue(r.body().contains("\"database\":\"unhealthy: "), r.body());
                assertTrue(r.body().contains("\"redis\":\"unhealthy: "), r.body());
                assertTrue(ms < 2_800, "readiness took " + ms + " ms: " + r.body());
            }
        }
    }
}
