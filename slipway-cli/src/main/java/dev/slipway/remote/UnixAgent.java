package dev.slipway.remote;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.apache.sshd.agent.SshAgent;
import org.apache.sshd.agent.SshAgentFactory;
import org.apache.sshd.agent.SshAgentServer;
import org.apache.sshd.agent.common.AbstractAgentProxy;
import org.apache.sshd.common.FactoryManager;
import org.apache.sshd.common.channel.ChannelFactory;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.session.Session;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * A client of a running ssh-agent over its UNIX socket ({@code SSH_AUTH_SOCK}), using the JDK's
 * UNIX domain sockets (JEP 380) instead of a native library. MINA SSHD builds and parses the agent
 * messages (draft-miller-ssh-agent: REQUEST_IDENTITIES, SIGN_REQUEST); this class only moves
 * length-prefixed messages over the socket. Agent forwarding is not offered.
 */
final class UnixAgent extends AbstractAgentProxy {
    private static final int MAX_MESSAGE = 256 * 1024;
    private final Path socket;
    private SocketChannel channel;

    UnixAgent(Path socket) {
        super(null);
        this.socket = socket;
    }

    @Override
    protected synchronized Buffer request(Buffer buffer) throws IOException {
        if (channel == null) {
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                channel = null;
                throw new IOException("cannot reach the ssh-agent at " + socket + ": " + e.getMessage(), e);
            }
        }
        // The buffer already holds the uint32 length prefix (AbstractAgentProxy.prepare).
        channel.write(ByteBuffer.wrap(buffer.array(), buffer.rpos(), buffer.available()));
        ByteBuffer len = ByteBuffer.allocate(4);
        readFully(len);
        int n = len.flip().getInt();
        if (n <= 0 || n > MAX_MESSAGE) {
            throw new IOException("ssh-agent at " + socket + " sent a message of " + n + " bytes");
        }
        ByteBuffer msg = ByteBuffer.allocate(n);
        readFully(msg);
        return new ByteArrayBuffer(msg.array());
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new IOException("ssh-agent at " + socket + " closed the connection");
            }
        }
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    /** Hands MINA SSHD a {@link UnixAgent} per session. */
    static final class Factory implements SshAgentFactory {
        private final Path socket;

        Factory(Path socket) {
            this.socket = socket;
        }

        @Override
        public List<ChannelFactory> getChannelForwardingFactories(FactoryManager manager) {
            return List.of();
        }

        @Override
        public SshAgent createClient(Session session, FactoryManager manager) {
            return new UnixAgent(socket);
        }

        @Override
        public SshAgentServer createServer(ConnectionService service) {
            throw new UnsupportedOperationException("agent forwarding is not offered");
        }
    }
}
