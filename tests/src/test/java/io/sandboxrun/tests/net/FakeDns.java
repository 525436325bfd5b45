package io.sandboxrun.tests.net;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The DNS upstream of NetDnsIT: UDP and TCP on one loopback port, A records from a fixed table
 * with their TTL, NXDOMAIN for other names; keeps the names it was asked.
 */
final class FakeDns implements AutoCloseable {
    record A(String address, int ttl) {}

    private final Map<String, A> table = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();
    private final DatagramSocket udp;
    private final ServerSocket tcp;

    FakeDns(String address) throws IOException {
        io.sandboxrun.core.testing.UdpAndTcp both = io.sandboxrun.core.testing.UdpAndTcp.bind(InetAddress.getByName(address));
        udp = both.udp();
        tcp = both.tcp();
        daemon(this::serveUdp);
        daemon(this::serveTcp);
    }

    /** {@code name} (no trailing dot) answers {@code address} with {@code ttl} seconds. */
    void put(String name, String address, int ttl) {
        table.put(name, new A(address, ttl));
    }

    /** {@code 127.0.0.5:40000}, as --dns-upstream takes it. */
    String upstream() {
        return udp.getLocalAddress().getHostAddress() + ":" + udp.getLocalPort();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "fake-dns");
        t.setDaemon(true);
        t.start();
    }

    private void serveUdp() {
        byte[] buf = new byte[1500];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] a = answer(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (udp.isClosed()) return;
            } catch (RuntimeException malformed) {
                // not a query this server understands: no answer
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                byte[] a = answer(q);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(a.length);
                out.write(a);
                out.flush();
            } catch (IOException | RuntimeException e) {
                if (tcp.isClosed()) return;
            }
        }
    }

    /** The response to query {@code q}: its id and question, then an A record when the table has one. */
    private byte[] answer(byte[] q) throws IOException {
        StringBuilder name = new StringBuilder();
        int i = 12;
        while (q[i] != 0) {
            if (name.length() > 0) name.append('.');
            name.append(new String(q, i + 1, q[i], StandardCharsets.US_ASCII));
            i += q[i] + 1;
        }
        int questionEnd = i + 5;   // root label, type, class
        int type = (q[i + 1] & 0xff) << 8 | q[i + 2] & 0xff;
        String n = name.toString().toLowerCase(Locale.ROOT);
        asked.add(n);
        A a = table.get(n);
        boolean answered = a != null && type == 1;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(q, 0, 2);                                          // id
        out.writeShort(0x8000 | 0x0400 | 0x0100 | 0x0080 | (a == null ? 3 : 0));   // QR AA RD RA, NXDOMAIN
        out.writeShort(1);
        out.writeShort(answered ? 1 : 0);
        out.writeShort(0);
        out.writeShort(0);
        out.write(q, 12, questionEnd - 12);
        if (answered) {
            out.writeShort(0xc00c);                                  // the question's name
            out.writeShort(1);
            out.writeShort(1);
            out.writeInt(a.ttl());
            out.writeShort(4);
            out.write(InetAddress.getByName(a.address()).getAddress());
        }
        return b.toByteArray();
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
