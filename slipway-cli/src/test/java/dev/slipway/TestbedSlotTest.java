package dev.slipway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 18: two runs (or two users of hosts.sh) get different host names, addresses and
 * network namespaces. No hosts are booted: the derivation and the slot claim are checked alone.
 */
class TestbedSlotTest {
    @Test
    void slotsDeriveDisjointNamesAddressesAndNamespaces() {
        TestbedSlot a = new TestbedSlot(0);
        TestbedSlot b = new TestbedSlot(1);
        assertEquals("hd-r0-", a.prefix("hd"));
        assertEquals("hd-r1-", b.prefix("hd"));
        assertEquals("127.0.1.11", a.address("127.0.1.11"), "slot 0 keeps the addresses the tests were written with");
        assertEquals("127.0.101.11", b.address("127.0.1.11"));
        assertEquals(2, a.netnsOctet(2));
        assertEquals(32, b.netnsOctet(2));
        for (int i = 0; i < TestbedSlot.SLOTS; i++) {
            for (int j = i + 1; j < TestbedSlot.SLOTS; j++) {
                TestbedSlot x = new TestbedSlot(i);
                TestbedSlot y = new TestbedSlot(j);
                assertNotEquals(x.net(), y.net());
                assertNotEquals(x.prefix("cy"), y.prefix("cy"));
                assertNotEquals(x.netnsOctet(30), y.netnsOctet(1));
                for (String used : new String[] {"127.0.3.", "127.0.4.", "127.0.0."}) {
                    assertNotEquals(used, x.net(), "another test's range");
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> a.address("10.0.0.1"));
    }

    @Test
    void aSecondClaimGetsAnotherSlotAndAReleasedSlotIsFreeAgain(@TempDir Path dir) throws Exception {
        try (TestbedSlot.Claim first = TestbedSlot.claim(dir)) {
            try (TestbedSlot.Claim second = TestbedSlot.claim(dir)) {
                assertEquals(0, first.slot().number());
                assertEquals(1, second.slot().number());
            }
            try (TestbedSlot.Claim again = TestbedSlot.claim(dir)) {
                assertEquals(1, again.slot().number(), "slot 1 was given back");
            }
        }
        // A claim held by another process (another test run's JVM) is seen too.
        Path holder = java.nio.file.Files.writeString(dir.resolve("Holder.java"), """
                public class Holder {
                    public static void main(String[] a) throws Exception {
                        try (var ch = java.nio.channels.FileChannel.open(java.nio.file.Path.of(a[0]),
                                java.nio.file.StandardOpenOption.WRITE); var l = ch.lock()) {
                            System.out.println("held");
                            Thread.sleep(30_000);
                        }
                    }
                }
                """);
        Process other = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                holder.toString(), dir.resolve("slot-0.lock").toString()).redirectErrorStream(true).start();
        try {
            assertEquals("held", new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream())).readLine());
            try (TestbedSlot.Claim c = TestbedSlot.claim(dir)) {
                assertEquals(1, c.slot().number());
            }
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
