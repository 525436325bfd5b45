package io.sandboxrun.net.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DNS messages as bytes (RFC 1035 4.1): the queries the forwarder sends upstream, the error
 * answers it gives itself, and the reading of upstream answers. The forwarder builds its own
 * upstream query from the app's question (nothing else of the app's message goes out, so the app
 * cannot smuggle data in other sections or EDNS options) and passes the upstream's answer back
 * byte for byte, with only the id changed.
 */
final class DnsWire {
    static final int HEADER = 12;
    private static final int QR = 0x8000, RD = 0x0100, RA = 0x0080, TC = 0x0200;
    private static final int OPT = 41;

    /** One address an answer gave for the queried name, with the TTL it holds for (the chain's least). */
    record Address(InetAddress ip, long ttl) {}

    /**
     * What an upstream answer says.
     *
     * @param addresses the A/AAAA records of the queried name, directly or through CNAMEs
     */
    record Answer(int id, int rcode, boolean truncated, List<Address> addresses) {}

    /**
     * A query for {@code q}: recursion desired as the app asked, and an EDNS OPT record with
     * only the app's UDP payload size when it sent one ({@code ednsPayload} 0: no OPT), so the
     * upstream sizes its answer for the app.
     */
    static ByteBuf query(ByteBufAllocator alloc, int id, DnsQuestion q, boolean rd, int ednsPayload) throws Exception {
        ByteBuf b = alloc.buffer(HEADER + 64);
        try {
            b.writeShort(id).writeShort(rd ? RD : 0).writeShort(1).writeShort(0).writeShort(0)
                    .writeShort(ednsPayload > 0 ? 1 : 0);
            DnsRecordEncoder.DEFAULT.encodeQuestion(q, b);
            if (ednsPayload > 0) b.writeByte(0).writeShort(OPT).writeShort(ednsPayload).writeInt(0).writeShort(0);
            return b;
        } catch (Exception e) {
            b.release();
            throw e;
        }
    }

    /** An answer without records: {@code rcode}, the question repeated when there is one. */
    static ByteBuf error(ByteBufAllocator alloc, int id, int opcode, boolean rd, DnsQuestion q, DnsResponseCode rcode)
            throws Exception {
        ByteBuf b = alloc.buffer(HEADER + 64);
        try {
            b.writeShort(id).writeShort(QR | (opcode & 0xf) << 11 | (rd ? RD : 0) | RA | rcode.intValue() & 0xf)
                    .writeShort(q == null ? 0 : 1).writeShort(0).writeShort(0).writeShort(0);
            if (q != null) DnsRecordEncoder.DEFAULT.encodeQuestion(q, b);
            return b;
        } catch (Exception e) {
            b.release();
            throw e;
        }
    }

    /** Sets the id of a message (the first two bytes). */
    static ByteBuf withId(ByteBuf message, int id) {
        message.setShort(message.readerIndex(), id);
        return message;
    }

    /**
     * Reads an upstream answer to {@code q}; null when it is not one (not a response, other id,
     * other question, or cut short). Does not consume {@code message}.
     */
    static Answer read(ByteBuf message, int id, DnsQuestion q) {
        ByteBuf in = message.slice(); // names point at offsets from the message start
        if (in.readableBytes() < HEADER) return null;
        int flags = in.getUnsignedShort(2);
        if (in.getUnsignedShort(0) != id || (flags & QR) == 0) return null;
        int qd = in.getUnsignedShort(4), an = in.getUnsignedShort(6);
        in.readerIndex(HEADER);
        List<DnsRecord> answers = new ArrayList<>();
        try {
            if (qd != 1) return null;
            DnsQuestion got = DnsRecordDecoder.DEFAULT.decodeQuestion(in);
            if (!name(got.name()).equals(name(q.name())) || got.type().intValue() != q.type().intValue()
                    || got.dnsClass() != q.dnsClass()) {
                return null;
            }
            boolean truncated = (flags & TC) != 0;
            for (int i = 0; i < an; i++) {
                DnsRecord r = DnsRecordDecoder.DEFAULT.decodeRecord(in);
                if (r == null) {
                    if (truncated) break; // a truncated answer may stop anywhere; use what is whole
                    return null;
                }
                answers.add(r);
            }
            return new Answer(id, flags & 0xf, truncated, addresses(name(q.name()), answers));
        } catch (Exception e) {
            return null; // malformed: not an answer
        } finally {
            answers.forEach(ReferenceCountUtil::release);
        }
    }

    /**
     * The A/AAAA addresses of {@code qname}, following CNAMEs; each with the least TTL along its
     * chain (the name stands for the address only as long as every link does).
     */
    private static List<Address> addresses(String qname, List<DnsRecord> answers) {
        Map<String, Long> reach = new HashMap<>();
        reach.put(qname, Long.MAX_VALUE);
        // At most one pass per record: a chain cannot be longer than the records that make it.
        for (int pass = 0, grown = 1; grown > 0 && pass <= answers.size(); pass++) {
            grown = 0;
            for (DnsRecord r : answers) {
                Long via = reach.get(name(r.name()));
                if (via == null || r.type() != DnsRecordType.CNAME || !(r instanceof DnsRawRecord raw)) continue;
                String target = name(DefaultDnsRecordDecoder.decodeName(raw.content().duplicate()));
                long ttl = Math.min(via, r.timeToLive());
                Long had = reach.get(target);
                if (had == null || ttl > had) {
                    reach.put(target, ttl);
                    grown++;
                }
            }
        }
        List<Address> out = new ArrayList<>();
        for (DnsRecord r : answers) {
            Long via = reach.get(name(r.name()));
            if (via == null || !(r instanceof DnsRawRecord raw) || r.dnsClass() != 1) continue;
            int len = r.type() == DnsRecordType.A ? 4 : r.type() == DnsRecordType.AAAA ? 16 : -1;
            if (len < 0 || raw.content().readableBytes() != len) continue;
            byte[] b = new byte[len];
            raw.content().getBytes(raw.content().readerIndex(), b);
            try {
                out.add(new Address(InetAddress.getByAddress(b), Math.min(via, r.timeToLive())));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // cannot happen: 4 or 16 bytes
            }
        }
        return out;
    }

    /** A name as rules hold it: lower case, no trailing dot. */
    static String name(String wire) {
        String n = wire.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private DnsWire() {}
}
