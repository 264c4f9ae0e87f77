package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.slipway.SlipwayException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
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

    @Test
    void oneParserReadsTheEightColumnsAndBothOlderShapes(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("history.tsv");
        // A local file that grew over three Slipway versions: six columns (local, before 'who' and
        // 'where'), then eight; a hosts file's seven-column line (before 'where') read by the same parser.
        Files.writeString(file, "# revision\tversion\tcommit\ttime\toutcome\tnote\n"
                + "1\t1.0.0\tc1\t2026-01-01T00:00:00Z\tdeployed\tfirst release\n"
                + "2\t2.0.0\tc2\t2026-01-02T00:00:00Z\trolled-back\troot@m\tweb1\tgate failed\n"
                + "3\t1.0.0\tc1\t2026-01-03T00:00:00Z\trollback\troot@m\tfrom 2.0.0\n");
        History h = new History(file);
        List<Revision> all = h.entries();
        assertEquals(new Revision(1, "1.0.0", "c1", Instant.parse("2026-01-01T00:00:00Z"), History.DEPLOYED, "", "",
                "first release"), all.get(0));
        assertEquals(new Revision(2, "2.0.0", "c2", Instant.parse("2026-01-02T00:00:00Z"), History.ROLLED_BACK, "root@m",
                "web1", "gate failed"), all.get(1));
        assertEquals(new Revision(3, "1.0.0", "c1", Instant.parse("2026-01-03T00:00:00Z"), History.ROLLBACK, "root@m", "",
                "from 2.0.0"), all.get(2));
        // What is appended is in the eight columns and reads back the same.
        Revision r = h.append("3.0.0", "c3", History.DEPLOYED, "previous 1.0.0");
        assertEquals(r, h.entries().get(3));
        assertEquals(4, r.revision());
        assertEquals(8, Files.readAllLines(file).get(4).split("\t", -1).length);
        assertEquals(History.line(r), Files.readAllLines(file).get(4) + "\n");
    }

    @Test
    void everyTargetSharesOneVocabularyAndServingRule() {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (String o : History.OUTCOMES) {
            boolean serving = new Revision(1, "1.0.0", "", t, o, "", "", "").serving();
            assertEquals(List.of(History.DEPLOYED, History.ROLLBACK, History.PROMOTED, History.CURRENT,
                    History.CANARY_ABORTED).contains(o), serving, o);
        }
        assertFalse(new Revision(1, "-", "", t, History.CANARY_ABORTED, "", "", "no stable release here").serving());
    }

    @Test
    void aCorruptLineIsAnErrorNamingItsLineLocallyAndSkippedOnHosts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("history.tsv");
        Files.writeString(file, History.HEADER + "1\t1.0.0\tc1\tyesterday\tdeployed\t\t\t\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> new History(file).entries());
        assertTrue(e.getMessage().contains("history.tsv:2: corrupt history line"), e.getMessage());
        assertTrue(History.parse("1\t1.0.0\tc1\tyesterday\tdeployed\t\t\t").isEmpty());
        assertTrue(History.parse("1\t1.0.0\tc1").isEmpty());
        assertTrue(History.parse(History.HEADER.strip()).isEmpty());
    }
}
