package dev.slipway;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The share of the hosts testbed that one test run (one JVM) owns, so that the hosts of two runs
 * on one machine, or of a run and anything else using {@code testbed/hosts.sh}, never collide:
 * a run's machine names, state directories, loopback addresses and network namespaces all derive
 * from its slot number.
 *
 * <p>A slot is claimed with a lock file ({@code <dir>/slot-N.lock}, {@code flock}): the kernel
 * releases it when the JVM ends, even by SIGKILL, so a crashed run never keeps its slot.
 *
 * @param number the slot, 0 to {@link #SLOTS} - 1
 */
public record TestbedSlot(int number) {
    /** How many runs may have hosts at once. */
    public static final int SLOTS = 8;

    private static TestbedSlot current;
    private static FileLock held;

    /**
     * @param classPrefix the test class's own prefix, e.g. {@code hd}
     * @return the {@code hosts.sh --prefix} of this run's hosts of that class, e.g. {@code hd-r0-}
     *         (hosts {@code hd-r0-1}, {@code hd-r0-2}, ...)
     */
    public String prefix(String classPrefix) {
        return classPrefix + "-r" + number + "-";
    }

    /**
     * @return the first three octets of this run's loopback addresses, with the dot: {@code 127.0.1.}
     *         for slot 0 (the addresses the tests were written with), {@code 127.0.10N.} for slot N
     *         (127.0.3.x and 127.0.4.x belong to other tests)
     */
    public String net() {
        return "127.0." + (number == 0 ? 1 : 100 + number) + ".";
    }

    /**
     * @param address an address of the tests as written, {@code 127.0.1.K}
     * @return the same host's address in this run: {@link #net()} + K
     */
    public String address(String address) {
        if (!address.startsWith("127.0.1.")) {
            throw new IllegalArgumentException(address + " is not in 127.0.1.0/24");
        }
        return net() + address.substring("127.0.1.".length());
    }

    /**
     * @param octet the last octet a network-namespace host would have in slot 0
     * @return its octet in this run ({@code hosts.sh --netns-first}): the namespace
     *         {@code swnO} and its link 169.254.O.0/30 are then this run's alone
     */
    public int netnsOctet(int octet) {
        int o = octet + 30 * number;
        if (octet < 1 || octet > 30 || o > 254) {
            throw new IllegalArgumentException("netns octet " + octet + " must be 1-30");
        }
        return o;
    }

    /**
     * Claims the first free slot under {@code dir}.
     *
     * @param dir where the lock files live (created if missing)
     * @return the slot and its lock; close the lock to give the slot back (the JVM's end does too)
     * @throws IOException when every slot is taken or the lock files cannot be made
     */
    public static Claim claim(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int n = 0; n < SLOTS; n++) {
            FileChannel ch = FileChannel.open(dir.resolve("slot-" + n + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock != null) {
                return new Claim(new TestbedSlot(n), lock);
            }
            ch.close();
        }
        throw new IOException("all " + SLOTS + " testbed slots under " + dir + " are taken by other runs");
    }

    /** A claimed slot; closing it gives the slot back. */
    public record Claim(TestbedSlot slot, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            lock.channel().close();
        }
    }

    /** @return this JVM's slot, claimed under {@code Testbed.RUN/slots} on first use and kept until exit */
    public static synchronized TestbedSlot current() {
        if (current == null) {
            try {
                Claim c = claim(Testbed.RUN.resolve("slots"));
                held = c.lock();
                current = c.slot();
            } catch (IOException e) {
                throw new AssertionError("cannot claim a testbed slot: " + e.getMessage(), e);
            }
        }
        return current;
    }
}
