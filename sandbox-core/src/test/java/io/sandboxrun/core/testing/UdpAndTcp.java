package io.sandboxrun.core.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * A UDP socket and a listening TCP socket on one address and one port, as a DNS server has
 * (test servers: fake resolvers).
 */
public record UdpAndTcp(DatagramSocket udp, ServerSocket tcp) {
    private static final int ATTEMPTS = 20;

    /** Binds both on {@code address}, a port the kernel picks for UDP; retried while TCP's is taken. */
    public static UdpAndTcp bind(InetAddress address) throws IOException {
        for (int attempt = 1; ; attempt++) {
            DatagramSocket u = new DatagramSocket(new InetSocketAddress(address, 0));
            ServerSocket t = new ServerSocket();
            try {
                t.bind(new InetSocketAddress(address, u.getLocalPort()));
                return new UdpAndTcp(u, t);
            } catch (IOException taken) {
                u.close();
                t.close();
                if (attempt == ATTEMPTS) throw taken;
            }
        }
    }
}
