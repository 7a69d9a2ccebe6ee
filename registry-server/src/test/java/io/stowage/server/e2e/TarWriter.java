package io.stowage.server.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a POSIX ustar archive, enough for an image layer: directories and regular files owned by
 * root, with a fixed modification time so the same input always gives the same bytes (and digest).
 *
 * <p>Header layout (512 bytes, numbers in NUL-terminated octal): name[100] mode[8] uid[8] gid[8]
 * size[12] mtime[12] chksum[8] typeflag[1] linkname[100] magic "ustar\0"[6] version "00"[2]
 * uname[32] gname[32] devmajor[8] devminor[8] prefix[155], padded to 512. File data follows in
 * 512-byte blocks; the archive ends with two zero blocks. Not thread-safe; does not close the stream.
 */
final class TarWriter {

    private static final int BLOCK = 512;
    /** 2024-01-01T00:00:00Z: fixed, so layers are reproducible. */
    private static final long MTIME = 1_704_067_200L;

    private final OutputStream out;
    private boolean finished;

    TarWriter(OutputStream out) {
        this.out = out;
    }

    /** A directory entry; {@code path} gets a trailing slash if it lacks one. */
    void directory(String path) throws IOException {
        String name = path.endsWith("/") ? path : path + "/";
        out.write(header(name, 0755, 0, '5'));
    }

    /** A regular file with mode 0644. */
    void file(String path, byte[] content) throws IOException {
        out.write(header(path, 0644, content.length, '0'));
        out.write(content);
        int pad = (BLOCK - content.length % BLOCK) % BLOCK;
        out.write(new byte[pad]);
    }

    /** Writes the two zero blocks that end the archive. */
    void finish() throws IOException {
        if (!finished) {
            out.write(new byte[2 * BLOCK]);
            finished = true;
        }
    }

    private static byte[] header(String name, int mode, long size, char type) {
        byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length > 100) {
            throw new IllegalArgumentException("tar name longer than 100 bytes: " + name);
        }
        byte[] h = new byte[BLOCK];
        System.arraycopy(nameBytes, 0, h, 0, nameBytes.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0); // uid
        octal(h, 116, 8, 0); // gid
        octal(h, 124, 12, size);
        octal(h, 136, 12, MTIME);
        h[156] = (byte) type;
        ascii(h, 257, "ustar\0");
        ascii(h, 263, "00");
        ascii(h, 265, "root");
        ascii(h, 297, "root");
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        // The checksum is computed with its own field read as eight spaces.
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String checksum = String.format("%06o", sum);
        ascii(h, 148, checksum);
        h[154] = 0;
        h[155] = ' ';
        return h;
    }

    /** Writes {@code value} as zero-padded octal in {@code width - 1} digits and a NUL. */
    private static void octal(byte[] h, int offset, int width, long value) {
        String digits = Long.toOctalString(value);
        if (digits.length() > width - 1) {
            throw new IllegalArgumentException("value " + value + " does not fit a " + width + "-byte tar field");
        }
        String padded = "0".repeat(width - 1 - digits.length()) + digits;
        ascii(h, offset, padded);
        h[offset + width - 1] = 0;
    }

    private static void ascii(byte[] h, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, h, offset, bytes.length);
    }
}
