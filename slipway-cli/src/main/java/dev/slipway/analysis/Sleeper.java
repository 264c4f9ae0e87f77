package dev.slipway.analysis;

import java.time.Clock;
import java.time.Instant;

/**
 * Waits until a point in time. The analysis schedules measurements on a {@link Clock} and waits
 * through this, so a caller can bound or interrupt the waits.
 */
@FunctionalInterface
public interface Sleeper {
    /**
     * Returns when {@code clock.instant()} is at or after {@code until}.
     *
     * @param clock the clock the time is read from
     * @param until the time to wait for; a past time returns at once
     * @throws InterruptedException when the thread is interrupted
     */
    void sleepUntil(Clock clock, Instant until) throws InterruptedException;

    /** Sleeps the thread (in slices of at most 1 s, re-reading the clock). */
    Sleeper SYSTEM = (clock, until) -> {
        long left;
        while ((left = until.toEpochMilli() - clock.millis()) > 0) {
            Thread.sleep(Math.min(left, 1000));
        }
    };
}
