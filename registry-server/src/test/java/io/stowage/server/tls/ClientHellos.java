package io.stowage.server.tls;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.SecureRandom;

/**
 * Hand-made TLS ClientHello messages, to ask the server for a protocol version or cipher suite the
 * JDK's client refuses to offer (TLS 1.1 is disabled in the JDK itself), and the first thing the
 * server answers. Byte layout from RFC 5246 section 7.4.1.2.
 */
final class ClientHellos {
    static final int TLS_1_1 = 0x0302;
    static final int TLS_1_2 = 0x0303;
    static final int ECDHE_ECDSA_AES_128_GCM_SHA256 = 0xC02B;
    static final int ECDHE_ECDSA_AES_128_CBC_SHA = 0xC009;
    static final int ECDHE_ECDSA_AES_128_CBC_SHA256 = 0xC023;

    /** What the server sent back first. */
    enum Answer {
        /** A handshake record starting with ServerHello: the offer was accepted. */
        SERVER_HELLO,
        /** An alert record: the offer was refused. */
        ALERT,
        /** The connection was closed without an answer: refused too. */
        CLOSED,
        /** Anything else. */
        OTHER
    }

    private ClientHellos() {
    }

    /** Offers {@code version} with the one {@code cipherSuite} on a new connection; returns the server's first answer. */
    static Answer offer(int port, int version, int cipherSuite) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(clientHello(version, cipherSuite));
            socket.getOutputStream().flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            int contentType;
            try {
                contentType = in.readUnsignedByte();
                in.readUnsignedShort(); // record version
                in.readUnsignedShort(); // record length
                int first = in.readUnsignedByte();
                if (contentType == 22 && first == 2) {
                    return Answer.SERVER_HELLO;
                }
                return contentType == 21 ? Answer.ALERT : Answer.OTHER;
            } catch (EOFException | SocketException closed) {
                return Answer.CLOSED;
            }
        }
    }

    private static byte[] clientHello(int version, int cipherSuite) {
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        // supported_groups: secp256r1 (the dev certificate's curve) and x25519
        extension(extensions, 0x000a, new byte[] {0, 4, 0, 0x17, 0, 0x1d});
        // ec_point_formats: uncompressed
        extension(extensions, 0x000b, new byte[] {1, 0});
        // signature_algorithms: ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256
        extension(extensions, 0x000d, new byte[] {0, 6, 4, 3, 8, 4, 4, 1});
        // renegotiation_info (empty) and extended_master_secret, which servers expect of a modern client
        extension(extensions, 0xff01, new byte[] {0});
        extension(extensions, 0x0017, new byte[0]);

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        u16(body, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        body.writeBytes(random);
        body.write(0); // no session id
        u16(body, 2);
        u16(body, cipherSuite);
        body.write(1); // one compression method: none
        body.write(0);
        u16(body, extensions.size());
        body.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream handshake = new ByteArrayOutputStream();
        handshake.write(1); // client_hello
        handshake.write(body.size() >>> 16);
        u16(handshake, body.size() & 0xffff);
        handshake.writeBytes(body.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(22); // handshake
        u16(record, 0x0301); // record version as clients send it for compatibility
        u16(record, handshake.size());
        record.writeBytes(handshake.toByteArray());
        return record.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value & 0xff);
    }
}
