package io.stowage.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Set;

/**
 * The registry's ES256 (ECDSA P-256) key that signs the tokens it issues, kept as a PKCS#8
 * {@code PRIVATE KEY} PEM file readable by its owner only, and created on first use. Its
 * {@link #keyId()} is the RFC 7638 thumbprint of the public key, put in every token's {@code kid}
 * header; {@link #publicKeyPem()} is what another service needs to verify our tokens. Immutable.
 */
public final class TokenSigningKey {
    private static final Logger log = LoggerFactory.getLogger(TokenSigningKey.class);

    private final ECPrivateKey privateKey;
    private final ECPublicKey publicKey;
    private final String keyId;

    private TokenSigningKey(KeyPair pair) {
        this.privateKey = (ECPrivateKey) pair.getPrivate();
        this.publicKey = (ECPublicKey) pair.getPublic();
        this.keyId = KeyIds.thumbprint(publicKey);
    }

    /**
     * Loads the key at {@code file}, or creates it there (mode 0600) when there is none. Two
     * processes starting at once end up with the same key: one creates it, the other reads it.
     */
    public static TokenSigningKey loadOrCreate(Path file) throws AuthFileException {
        if (Files.exists(file)) {
            return load(file);
        }
        TokenSigningKey created = generate();
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            AtomicFiles.createOwnerOnly(file, PemKeys.privateKeyPem(created.privateKey).getBytes(StandardCharsets.US_ASCII));
            log.info("created token signing key file={} kid={}", file, created.keyId);
            return created;
        } catch (FileAlreadyExistsException raced) {
            return load(file);
        } catch (IOException e) {
            throw new AuthFileException("cannot create the token signing key " + file + ": " + ReloadingFile.describe(e), e);
        }
    }

    /** Loads the key at {@code file}: a PKCS#8 P-256 private key. */
    public static TokenSigningKey load(Path file) throws AuthFileException {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AuthFileException("cannot read the token signing key " + file + ": " + ReloadingFile.describe(e), e);
        }
        warnIfOthersCanRead(file);
        return new TokenSigningKey(PemKeys.readP256KeyPair(file.toString(), pem));
    }

    /** A new key that lives in memory only: for tests, and for a registry that keeps no state. */
    public static TokenSigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return new TokenSigningKey(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot make P-256 keys", e);
        }
    }

    /** The {@code kid} of our tokens. */
    public String keyId() {
        return keyId;
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    /** The public key as a {@code PUBLIC KEY} PEM block, to verify our tokens elsewhere. */
    public String publicKeyPem() {
        return PemKeys.publicKeyPem(publicKey);
    }

    JWSSigner signer() {
        try {
            return new ECDSASigner(privateKey);
        } catch (JOSEException e) {
            throw new IllegalStateException("a P-256 key was refused for ES256", e);
        }
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.GROUP_READ) || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("token signing key is readable by others, chmod 600 it file={}", file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
    }
}
