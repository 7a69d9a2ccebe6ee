package io.stowage.audit;

import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/** The public half of the checkpoint key: all an offline verifier needs. PEM is SubjectPublicKeyInfo. */
public final class VerifyingKey {
    private final Ed25519PublicKeyParameters key;

    VerifyingKey(Ed25519PublicKeyParameters key) {
        this.key = key;
    }

    public static VerifyingKey fromPem(String pem) throws IOException {
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            PemObject object = reader.readPemObject();
            if (object == null || !"PUBLIC KEY".equals(object.getType())) {
                throw new IOException("no PEM public key");
            }
            AsymmetricKeyParameter parsed = PublicKeyFactory.createKey(object.getContent());
            if (!(parsed instanceof Ed25519PublicKeyParameters ed)) {
                throw new IOException("the public key is not Ed25519");
            }
            return new VerifyingKey(ed);
        }
    }

    public boolean verify(byte[] message, byte[] signature) {
        Ed25519Signer verifier = new Ed25519Signer();
        verifier.init(false, key);
        verifier.update(message, 0, message.length);
        return verifier.verifySignature(signature);
    }

    public String toPem() {
        try {
            return new String(SigningKey.pem("PUBLIC KEY",
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(key).getEncoded()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A short name of the key for checkpoints: the first 16 hex digits of SHA-256 of its raw 32 bytes. */
    public String keyId() {
        MessageDigest sha = RecordCodec.sha256();
        return HexFormat.of().formatHex(sha.digest(key.getEncoded())).substring(0, 16);
    }
}
