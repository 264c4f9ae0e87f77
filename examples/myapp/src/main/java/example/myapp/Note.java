package example.myapp;

import java.time.Instant;

/**
 * A stored note.
 *
 * @param id        database id, &ge; 1
 * @param title     title, 1..{@value #MAX_TITLE} characters
 * @param body      body, 0..{@value #MAX_BODY} characters
 * @param createdAt creation time (UTC, millisecond precision)
 */
public record Note(long id, String title, String body, Instant createdAt) {
    /** Longest title, in characters (the column is VARCHAR(200)). */
    public static final int MAX_TITLE = 200;
    /** Longest body, in characters (the column is VARCHAR(10000)). */
    public static final int MAX_BODY = 10_000;
}
