package io.sandboxrun.net.dns;

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
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test DNS server on a loopback address, UDP and TCP on one port: answers from a fixed table,
 * NXDOMAIN for other names; counts what it was asked. Never a real resolver.
 */
final class FakeUpstream implements AutoCloseable {
    /** One answer record: {@code type} A, AAAA or CNAME; {@code value} an address or a name. */
    record Rr(String owner, String type, long ttl, String value) {}

    final Map<String, List<Rr>> table = new ConcurrentHashMap<>();
    /** Names whose UDP answer is an empty truncated one (TC), so the client must use TCP. */
    final List<String> truncateOverUdp = new ArrayList<>();
    final AtomicInteger udpQueries = new AtomicInteger(), tcpQueries = new AtomicInteger();
    final List<byte[]> received = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean silent;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final List<Thread> threads = new ArrayList<>();

    FakeUpstream(String address) throws IOException {
        io.sandboxrun.core.testing.UdpAndTcp both = io.sandboxrun.core.testing.UdpAndTcp.bind(InetAddress.getByName(address));
        udp = both.udp();
        tcp = both.tcp();
        start(this::serveUdp);
        start(this::serveTcp);
    }

    InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    void put(String name, Rr... rrs) {
        table.put(name, List.of(rrs));
    }

    private void start(Runnable r) {
        Thread th = new Thread(r, "fake-dns");
        th.setDaemon(true);
        th.start();
        threads.add(th);
    }

    private void serveUdp() {
        byte[] buf = new byte[4096];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] q = java.util.Arrays.copyOf(p.getData(), p.getLength());
                udpQueries.incrementAndGet();
                received.add(q);
                if (silent) continue;
                byte[] a = answer(q, true);
                udp.send(new DatagramPacket(a, a.length, p.getSocketAddress()));
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                tcpQueries.incrementAndGet();
                received.add(q);
                if (silent) {
                    in.read(); // hold the connection until the client gives up
                    continue;
                }
                byte[] a = answer(q, false);
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeShort(a.length);
                out.write(a);
                out.flush();
            } catch (SocketException e) {
                if (tcp.isClosed()) return;
            } catch (IOException e) {
                // client went away
            }
        }
    }

    /** The answer to query {@code q}: same id and question, the table's records. */
    private byte[] answer(byte[] q, boolean overUdp) throws IOException {
        int end = 12;
        StringBuilder name = new StringBuilder();
        while (q[end] != 0) {
            int len = q[end];
            if (name.length() > 0) name.append('.');
            name.append(new String(q, end + 1, len, StandardCharsets.US_ASCII));
            end += len + 1;
        }
        end += 5; // root label, qtype, qclass
        int qtype = ((q[end - 4] & 0xff) << 8) | (q[end - 3] & 0xff);
        String n = name.toString().toLowerCase(Locale.ROOT);
        List<Rr> rrs = table.get(n);
        boolean tc = overUdp && truncateOverUdp.contains(n);
        List<Rr> chosen = new ArrayList<>();
        if (rrs != null && !tc) {
            for (Rr rr : rrs) {
                if (rr.type().equals("CNAME") || code(rr.type()) == qtype) chosen.add(rr);
            }
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.write(q, 0, 2);
        out.writeShort(0x8000 | 0x0100 | 0x0080 | (tc ? 0x0200 : 0) | (rrs == null ? 3 : 0));
        out.writeShort(1);
        out.writeShort(chosen.size());
        out.writeShort(0);
        out.writeShort(0);
        out.write(q, 12, end - 12);
        for (Rr rr : chosen) {
            if (rr.owner().equalsIgnoreCase(n)) out.writeShort(0xc00c); // compressed: points at the question
            else writeName(out, rr.owner());
            out.writeShort(code(rr.type()));
            out.writeShort(1);
            out.writeInt((int) rr.ttl());
            byte[] data;
            if (rr.type().equals("CNAME")) {
                ByteArrayOutputStream nb = new ByteArrayOutputStream();
                writeName(new DataOutputStream(nb), rr.value());
                data = nb.toByteArray();
            } else {
                data = InetAddress.getByName(rr.value()).getAddress();
            }
            out.writeShort(data.length);
            out.write(data);
        }
        return b.toByteArray();
    }

    private static void writeName(DataOutputStream out, String name) throws IOException {
        for (String label : name.split("\\.")) {
            out.writeByte(label.length());
            out.write(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeByte(0);
    }

    private static int code(String type) {
        return switch (type) {
            case "A" -> 1;
            case "CNAME" -> 5;
            case "AAAA" -> 28;
            case "TXT" -> 16;
            default -> throw new IllegalArgumentException(type);
        };
    }

    @Override
    public void close() throws Exception {
        udp.close();
        tcp.close();
        for (Thread t : threads) t.join(2000);
    }
}
