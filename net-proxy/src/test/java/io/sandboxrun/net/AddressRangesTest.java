package io.sandboxrun.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sandboxrun.net.AddressRanges.Kind;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressRangesTest {

    @ParameterizedTest
    @CsvSource({
            "::ffff:10.1.2.3, 10.1.2.3",
            "::ffff:169.254.169.254, 169.254.169.254",
            "::10.1.2.3, 10.1.2.3",
            "::2, 0.0.0.2",
            "64:ff9b::7f00:1, 127.0.0.1",
            "64:ff9b::cb00:7107, 203.0.113.7",
            "::, ::",
            "::1, ::1",
            "2001:db8::1, 2001:db8::1",
            "64:ff9b:1::a00:1, 64:ff9b:1::a00:1",
            "203.0.113.7, 203.0.113.7"})
    void unwrapsEmbeddedIpv4(String in, String out) {
        assertEquals(out, AddressRanges.text(AddressRanges.unwrap(ip(in))));
    }

    @Test
    void unwrapsMappedInet6Objects() throws Exception {
        // InetAddress.getByName turns ::ffff:a.b.c.d into an Inet4Address; an Inet6Address built
        // from the 16 bytes (as a sockaddr_in6 may be) keeps the IPv6 form, and must unwrap too.
        InetAddress mapped = mapped("169.254.169.254");
        assertTrue(mapped instanceof java.net.Inet6Address);
        assertEquals("::ffff:a9fe:a9fe", AddressRanges.text(mapped));
        assertEquals(ip("169.254.169.254"), AddressRanges.unwrap(mapped));
        assertEquals("link-local (cloud metadata)", AddressRanges.classify(mapped).words());
    }

    @ParameterizedTest
    @CsvSource({
            "0.0.0.0, this-host", "0.255.1.2, this-host", "::, this-host",
            "127.0.0.1, loopback", "127.255.255.254, loopback", "::1, loopback", "::ffff:127.0.0.1, loopback",
            "169.254.0.1, link-local", "169.254.169.254, link-local (cloud metadata)", "fe80::1, link-local",
            "febf:ffff::1, link-local", "fec0::1, public",
            "10.0.0.0, private", "10.255.255.255, private", "172.16.0.1, private", "172.31.255.255, private",
            "172.32.0.1, public", "172.15.255.255, public", "192.168.1.1, private", "192.169.0.1, public",
            "100.64.0.1, private (CGNAT)", "100.127.255.255, private (CGNAT)", "100.128.0.1, public",
            "100.100.100.200, private (cloud metadata)",
            "fc00::1, private (unique local)", "fd12:3456::1, private (unique local)",
            "fd00:ec2::254, private (cloud metadata)",
            "224.0.0.1, multicast", "239.255.255.250, multicast", "ff02::1, multicast",
            "255.255.255.255, broadcast", "255.255.255.254, public",
            "203.0.113.7, public", "2001:db8::1, public", "::ffff:203.0.113.7, public"})
    void classifies(String address, String words) {
        assertEquals(words, AddressRanges.classify(ip(address)).words());
    }

    @Test
    void publicHasNoRange() {
        AddressRanges.Place p = AddressRanges.classify(ip("8.8.8.8"));
        assertEquals(Kind.PUBLIC, p.kind());
        assertNull(p.range());
        assertTrue(Kind.MULTICAST.neverTcp());
        assertFalse(Kind.PRIVATE.neverTcp());
    }

    @ParameterizedTest
    @CsvSource({
            "2001:db8:0:0:0:0:0:1, 2001:db8::1",
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
            "0:0:0:0:0:0:0:0, ::",
            "FE80:0:0:0:0:0:0:0, fe80::"})
    void writesIpv6AsRfc5952(String in, String out) {
        assertEquals(out, AddressRanges.text(ip(in)));
    }

    @Test
    void writesEndpoints() {
        assertEquals("203.0.113.7:443", AddressRanges.text(ip("203.0.113.7"), 443));
        assertEquals("[2001:db8::1]:443", AddressRanges.text(ip("2001:db8::1"), 443));
    }

    @Test
    void cidrContainsAndWithin() {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.contains(ip("10.200.0.1")));
        assertFalse(ten.contains(ip("11.0.0.1")));
        assertFalse(ten.contains(ip("2001:db8::1")));
        assertTrue(Cidr.parse("10.1.0.0/16").within(ten));
        assertTrue(ten.within(ten));
        assertFalse(Cidr.parse("10.0.0.0/7").within(ten));
        assertFalse(Cidr.parse("0.0.0.0/0").within(ten));
        assertTrue(Cidr.parse("172.20.0.0/14").within(Cidr.parse("172.16.0.0/12")));
        assertTrue(Cidr.parse("0.0.0.0/0").contains(ip("1.2.3.4")));
        assertFalse(Cidr.parse("::/0").contains(ip("1.2.3.4")));
        assertTrue(Cidr.parse("fe80::/10").contains(ip("febf::1")));
        assertEquals("10.0.0.0/8", Cidr.parse("10.9.8.7/8").toString());
        assertEquals("172.16.0.0/12", Cidr.parse("172.31.1.1/12").toString());
    }

    @Test
    void cidrOfMappedFormsIsIpv4() {
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("::ffff:10.0.0.0/104"));
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("64:ff9b::a00:0/104"));
        assertEquals(Cidr.parse("127.0.0.1/32"), Cidr.of(ip("::ffff:127.0.0.1"), 128));
        assertEquals("::/0", Cidr.parse("::/0").toString());
        assertEquals("::1/128", Cidr.parse("::1/128").toString());
    }

    @Test
    void cidrRejectsBadPrefix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Cidr(ip("10.0.0.0"), 33));
        assertEquals("prefix /33 is out of range for 10.0.0.0; use 0 to 32", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Cidr(ip("::"), 129));
        assertThrows(IllegalArgumentException.class, () -> AddressRanges.literal("localhost"));
        assertThrows(IllegalArgumentException.class, () -> AddressRanges.literal("1.2.3"));
    }

    /** {@code ::ffff:v4} as an {@link java.net.Inet6Address}. */
    static InetAddress mapped(String v4) throws Exception {
        byte[] b = new byte[16];
        b[10] = (byte) 0xff;
        b[11] = (byte) 0xff;
        System.arraycopy(ip(v4).getAddress(), 0, b, 12, 4);
        return java.net.Inet6Address.getByAddress(null, b, -1);
    }

    static InetAddress ip(String literal) {
        return AddressRanges.literal(literal);
    }
}
