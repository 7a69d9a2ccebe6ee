package io.stowage.server.tls;

import io.netty.handler.ssl.SslContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The listener's TLS context, replaced when the certificate, key or client CA files change, so a
 * renewed certificate is served without a restart. New connections get the context in force when
 * they are accepted; established ones keep the one they started with, so nothing in flight breaks.
 *
 * <p>A change is noticed by modification time, size and file key (inode) of each file, following
 * symbolic links (certbot's {@code live/} links, Kubernetes secret volumes), when
 * {@link #checkForChange} runs, every {@link TlsSettings#reloadCheck()}. A changed set of files is
 * only read once it has looked the same for two checks in a row: renewal tools write the
 * certificate and the key one after the other, and reading between the two would find a mismatched
 * pair. A new version that cannot be used (mismatched pair, bad PEM, missing file) is refused: the
 * context in force stays and the problem is logged once per version, because a botched renewal must
 * not take the registry off the network.
 *
 * <p>Thread-safe: {@link #get} is read by event loops at any time; {@link #checkForChange} must be
 * called by one thread at a time (a scheduled job).
 */
public final class ReloadingSslContext implements Supplier<SslContext> {
    private static final Logger log = LoggerFactory.getLogger(ReloadingSslContext.class);
    /** A certificate this close to its end earns a warning when loaded. */
    private static final Duration EXPIRY_WARNING = Duration.ofDays(14);

    /** What identifies one version of one file without reading it; all null for a file that is not there. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(null, -1, null);
    }

    private record InForce(SslContext context, TlsMaterial material, List<Stamp> stamps) {
    }

    private final TlsSettings settings;
    private final Clock clock;
    private volatile InForce inForce;
    /** Stamps seen changed at the last check, not yet read: read if the next check sees them again. */
    private List<Stamp> settling;
    /** Stamps of the newest version refused, so it is reported once and not read again and again. */
    private List<Stamp> refused;

    private ReloadingSslContext(TlsSettings settings, Clock clock, InForce first) {
        this.settings = settings;
        this.clock = clock;
        this.inForce = first;
    }

    /**
     * Reads the files of {@code settings} now.
     *
     * @throws TlsFileException when they cannot be used, naming the file and the problem
     */
    public static ReloadingSslContext load(TlsSettings settings, Clock clock) throws TlsFileException {
        // Stamps first: a change made while the files are read is then seen as a change later.
        List<Stamp> stamps = stamps(settings);
        TlsMaterial material = TlsMaterial.read(settings);
        InForce first = new InForce(ServerSslContexts.build(material, settings.clientAuth()), material, stamps);
        ReloadingSslContext context = new ReloadingSslContext(settings, clock, first);
        context.describe("tls certificate loaded", material);
        return context;
    }

    /** The context for a connection accepted now. */
    @Override
    public SslContext get() {
        return inForce.context();
    }

    /** The certificate presented to new connections. */
    public X509Certificate certificate() {
        return inForce.material().leaf();
    }

    public TlsSettings settings() {
        return settings;
    }

    /** Looks at the files and switches to a new version when it is complete and usable. Never throws. */
    public void checkForChange() {
        try {
            List<Stamp> now = stamps(settings);
            if (now.equals(inForce.stamps())) {
                settling = null;
                return;
            }
            if (now.equals(refused)) {
                return;
            }
            if (!now.equals(settling)) {
                settling = now;
                return;
            }
            settling = null;
            reload(now);
        } catch (RuntimeException e) {
            log.error("failed to check the tls files for a change", e);
        }
    }

    private void reload(List<Stamp> stamps) {
        try {
            TlsMaterial material = TlsMaterial.read(settings);
            SslContext context = ServerSslContexts.build(material, settings.clientAuth());
            if (!stamps(settings).equals(stamps)) {
                return; // written again while being read: the next checks read the newer files
            }
            inForce = new InForce(context, material, stamps);
            refused = null;
            describe("tls certificate reloaded", material);
        } catch (TlsFileException e) {
            refused = stamps;
            log.error("failed to reload tls files, new connections keep the certificate loaded before problem={}",
                    e.getMessage());
        }
    }

    private void describe(String event, TlsMaterial material) {
        X509Certificate leaf = material.leaf();
        Instant notAfter = leaf.getNotAfter().toInstant();
        log.info("{} subject={} notAfter={} clientAuth={} file={}", event, leaf.getSubjectX500Principal().getName(),
                notAfter, settings.clientAuth(), settings.certFile());
        Instant now = clock.instant();
        if (!notAfter.isAfter(now)) {
            log.warn("tls certificate has expired: clients will refuse it notAfter={} file={}", notAfter,
                    settings.certFile());
        } else if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
            log.warn("tls certificate expires soon notAfter={} file={}", notAfter, settings.certFile());
        }
    }

    private static List<Stamp> stamps(TlsSettings settings) {
        List<Stamp> stamps = new ArrayList<>(3);
        stamps.add(stamp(settings.certFile()));
        stamps.add(stamp(settings.keyFile()));
        settings.clientCaFile().ifPresent(file -> stamps.add(stamp(file)));
        return List.copyOf(stamps);
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(attributes.lastModifiedTime(), attributes.size(), attributes.fileKey());
        } catch (IOException e) {
            // Gone or unreadable counts as missing: the read that follows names the real problem.
            return Stamp.MISSING;
        }
    }
}
