package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryTest {
    @Test
    void revisionsNumberFromOneAndControlCharactersInNotesCannotBreakTheFile(@TempDir Path dir) {
        History h = new History(dir.resolve("history.tsv"));
        assertTrue(h.entries().isEmpty());
        h.append("1.0.0", "abc", History.DEPLOYED, "first release");
        h.append("2.0.0", "def", History.ROLLED_BACK, "HTTP 503: not ready\r\nstorage:\tdown\u0000");
        var all = h.entries();
        assertEquals(2, all.size());
        assertEquals(2, all.get(1).revision());
        assertEquals("HTTP 503: not ready storage: down ", all.get(1).note());
        assertTrue(all.get(0).serving());
        assertFalse(all.get(1).serving());
        assertEquals(3, h.nextRevision());
    }
}
