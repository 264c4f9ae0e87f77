package dev.slipway.deploy.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The history rows the swarm target reads from a service's labels. */
class SwarmSpecEntryTest {
    /**
     * Revisions recorded with nanoseconds (as the target wrote them before) print in whole seconds,
     * as the local and hosts targets' do, so {@code history --to swarm} keeps its columns.
     */
    @Test
    void aRevisionsTimeIsInWholeSeconds() {
        SwarmSpec.Entry e = new SwarmSpec.Entry(1, "1.0.0", "598a55c", "r/x@sha256:00", "2026-12-06T19:39:04.466227289Z",
                "deployed", "root@vm", "");
        assertEquals(Instant.parse("2026-12-06T19:39:04Z"), e.toRevision().time());
    }
}
