package io.stowage.audit;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The registry's Ed25519 key that signs checkpoints, kept as a PKCS#8 PEM file readable by its
 * owner only. Created on first start; the public half is exported as a {@link VerifyingKey}.
 */
public final class SigningKey {
    private final Ed25519PrivateKeyParameters key;

    private SigningKey(Ed25519PrivateKeyParameters key) {
        this.key = key;
    }

    /** Loads the key at {@code file}, creating it (mode 0600, parent 0700) when there is none. */
    public static SigningKey loadOrCreate(Path file) throws IOException {
        if (Files.exists(file)) {
            return load(file);
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Ed25519PrivateKeyParameters created = new Ed25519PrivateKeyParameters(new SecureRandom());
        byte[] pem = pem("PRIVATE KEY", PrivateKeyInfoFactory.createPrivateKeyInfo(created).getEncoded());
        try {
            Files.write(file, pem, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
        } catch (FileAlreadyExistsException raced) {
            return load(file);
        }
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return new SigningKey(created);
    }

    public static SigningKey load(Path file) throws IOException {
        try (PemReader reader = new PemReader(new StringReader(Files.readString(file)))) {
            PemObject object = reader.readPemObject();
            if (object == null || !"PRIVATE KEY".equals(object.getType())) {
                throw new IOException(file + " holds no PEM private key");
            }
            AsymmetricKeyParameter parsed = PrivateKeyFactory.createKey(object.getContent());
            if (!(parsed instanceof Ed25519PrivateKeyParameters ed)) {
                throw new IOException(file + " holds a key that is not Ed25519");
            }
            return new SigningKey(ed);
        }
    }

    public byte[] sign(byte[] message) {
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    public VerifyingKey verifyingKey() {
        Ed25519PublicKeyParameters pub = key.generatePublicKey();
        return new VerifyingKey(pub);
    }

    static byte[] pem(String type, byte[] der) throws IOException {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(type, der));
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
