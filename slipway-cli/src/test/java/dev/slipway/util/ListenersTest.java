package dev.slipway.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** Listeners reads a process's listening TCP ports from /proc: this JVM's own, opened and closed here. */
class ListenersTest {
    @Test
    void seesAPortThisProcessListensOnAndNotOneItOnlyConnectedFrom() throws Exception {
        long self = ProcessHandle.current().pid();
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
             Socket client = new Socket("127.0.0.1", s.getLocalPort());
             Socket accepted = s.accept()) {
            port = s.getLocalPort();
            assertTrue(Listeners.ports(self).contains(port), port + " in " + Listeners.ports(self));
            assertFalse(Listeners.ports(self).contains(client.getLocalPort()), "a connected socket is no listener");
        }
        assertFalse(Listeners.ports(self).contains(port), "closed: " + Listeners.ports(self));
        assertTrue(Listeners.ports(Long.MAX_VALUE).isEmpty(), "no such process: nothing");
    }

    @Test
    void anotherProcessOnThePortIsNamedAndTheServicesOwnListenerIsNot() throws Exception {
        Process service = new ProcessBuilder("sleep", "30").start();
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            long self = ProcessHandle.current().pid();
            assertTrue(Listeners.other(service.pid(), s.getLocalPort()).orElse("").startsWith("pid " + self + " ("),
                    "this JVM holds the port, not the sleep: " + Listeners.other(service.pid(), s.getLocalPort()));
            assertTrue(Listeners.other(self, s.getLocalPort()).isEmpty(), "the listener's own process");
            long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            assertTrue(parent <= 0 || Listeners.other(parent, s.getLocalPort()).isEmpty(),
                    "a descendant's listener is the service's own");
        } finally {
            service.destroy();
        }
    }

    @Test
    void aWorkerThatListensNowhereIsToldFromAServerAndFromAProcessThatIsGone() throws Exception {
        Process worker = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(Listeners.listensOnNoPort(worker.pid()), "a running process with no listening socket");
        } finally {
            worker.destroy();
            worker.waitFor();
        }
        assertFalse(Listeners.listensOnNoPort(worker.pid()), "gone: /proc cannot tell, so no claim");
        long self = ProcessHandle.current().pid();
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            assertFalse(Listeners.listensOnNoPort(self), "this JVM listens on " + s.getLocalPort());
        }
    }
}
