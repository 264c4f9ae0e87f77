package example.myapp;

import java.net.URI;
import java.util.Optional;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * Read-through cache of notes in Redis (Jedis's pooled {@code RedisClient}), as JSON strings under {@code myapp:note:ID}
 * with a TTL. Every call is bounded by a {@value #TIMEOUT_MS} ms connect and socket timeout;
 * failures throw, and callers fall back to the database.
 */
public final class NoteCache implements AutoCloseable {

    /** Connect and read timeout for each Redis call, in milliseconds. */
    public static final int TIMEOUT_MS = 2_000;

    private final RedisClient redis;
    private final String description;

    /**
     * Creates the client; does not connect yet.
     *
     * @param redisUrl {@code redis://[:password@]host:port[/db]}
     * @throws IllegalArgumentException if the URL is malformed
     */
    public NoteCache(String redisUrl) {
        URI u;
        try {
            u = URI.create(redisUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("REDIS_URL: not a valid URL");
        }
        if (u.getHost() == null) {
            throw new IllegalArgumentException("REDIS_URL: expected redis://host:port");
        }
        DefaultJedisClientConfig.Builder cfg = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(TIMEOUT_MS)
                .socketTimeoutMillis(TIMEOUT_MS)
                .user(JedisURIHelper.getUser(u))
                .password(JedisURIHelper.getPassword(u));
        if (JedisURIHelper.hasDbIndex(u)) {
            cfg.database(JedisURIHelper.getDBIndex(u));
        }
        this.redis = RedisClient.builder().hostAndPort(JedisURIHelper.getHostAndPort(u)).clientConfig(cfg.build()).build();
        this.description = "redis://" + u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : 6379);
    }

    /**
     * Returns the key under which note {@code id} is cached.
     *
     * @param id note id
     * @return {@code myapp:note:ID}
     */
    public static String key(long id) {
        return "myapp:note:" + id;
    }

    /**
     * Returns where Redis is, without credentials.
     *
     * @return e.g. {@code redis://127.0.0.1:6379}
     */
    public String description() {
        return description;
    }

    /**
     * Reads a cached note's JSON.
     *
     * @param id note id
     * @return the JSON, or empty on a miss
     * @throws redis.clients.jedis.exceptions.JedisException if Redis fails or times out
     */
    public Optional<String> get(long id) {
        return Optional.ofNullable(redis.get(key(id)));
    }

    /**
     * Caches a note's JSON.
     *
     * @param id     note id
     * @param json   the note as JSON
     * @param ttlSec time to live, seconds (&ge; 1)
     * @throws redis.clients.jedis.exceptions.JedisException if Redis fails or times out
     */
    public void put(long id, String json, long ttlSec) {
        redis.setex(key(id), ttlSec, json);
    }

    /**
     * Pings Redis.
     *
     * @throws redis.clients.jedis.exceptions.JedisException if Redis does not answer PONG in time
     */
    public void ping() {
        String pong = redis.ping();
        if (!"PONG".equals(pong)) {
            throw new IllegalStateException("unexpected PING reply " + pong);
        }
    }

    /** Closes the connection pool. */
    @Override
    public void close() {
        redis.close();
    }
}
