package io.stowage.server.tls;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsMaterialTest {
    @TempDir
    Path dir;

    private TlsSettings settings(Path cert, Path key) {
        return new TlsSettings(cert, key, Optional.empty(), ClientAuthMode.NONE, Duration.ofSeconds(5));
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private String refusal(Path cert, Path key) {
        return assertThrows(TlsFileException.class, () -> TlsMaterial.read(settings(cert, key))).getMessage();
    }

    @Test
    void readsAPkcs8KeyAndTheChainInFileOrder() throws Exception {
        TestPki.Issued ca = TestPki.ca("Test Intermediate");
        KeyPair pair = TestPki.ecKeyPair();
        TestPki.Issued server = TestPki.server(pair, ca);
        Path cert = file("chain.pem", TestPki.pem(server.certificate(), ca.certificate()));
        Path key = file("key.pem", new DevCertificate(server.certificate(), pair.getPrivate(), List.of()).privateKeyPem());

        TlsMaterial material = TlsMaterial.read(settings(cert, key));

        assertEquals(List.of(server.certificate(), ca.certificate()), material.chain());
        assertEquals(server.certificate(), material.leaf());
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));
    }

    @Test
    void readsTraditionalRsaAndEcKeysAsOpensslWritesThem() throws Exception {
        TestPki.Issued ca = TestPki.ca("Test CA");
        for (KeyPair pair : List.of(TestPki.rsaKeyPair(), TestPki.ecKeyPair())) {
            TestPki.Issued server = TestPki.server(pair, ca);
            String keyPem = pair.getPrivate().getAlgorithm().equals("RSA") ? TestPki.pem(pair) : TestPki.sec1Pem(pair);
            String type = pair.getPrivate().getAlgorithm().equals("RSA") ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
            assertTrue(keyPem.contains("BEGIN " + type), keyPem.lines().findFirst().orElse(""));
            Path cert = file("cert.pem", TestPki.pem(server.certificate()));
            Path key = file("key.pem", keyPem);

            assertEquals(pair.getPrivate().getAlgorithm(), TlsMaterial.read(settings(cert, key)).key().getAlgorithm());
        }
    }

    @Test
    void oneFileWithCertificateAndKeyServesAsBoth() throws Exception {
        DevCertificate dev = TestPki.devCertificate();
        Path both = file("both.pem", dev.certificatePem() + dev.privateKeyPem());

        TlsMaterial material = TlsMaterial.read(settings(both, both));

        assertEquals(dev.certificate(), material.leaf());
    }

    @Test
    void aKeyFromAnotherPairIsRefusedNamingBothFiles() throws Exception {
        Path cert = file("a.crt", TestPki.devCertificate().certificatePem());
        Path key = file("b.key", TestPki.devCertificate().privateKeyPem());

        String message = refusal(cert, key);

        assertTrue(message.contains("does not belong") && message.contains("a.crt") && message.contains("b.key"), message);
    }

    @Test
    void anIntermediateBeforeTheServerCertificateIsRefused() throws Exception {
        TestPki.Issued ca = TestPki.ca("Test Intermediate");
        KeyPair pair = TestPki.ecKeyPair();
        TestPki.Issued server = TestPki.server(pair, ca);
        Path cert = file("chain.pem", TestPki.pem(ca.certificate(), server.certificate()));
        Path key = file("key.pem", TestPki.sec1Pem(pair));

        assertTrue(refusal(cert, key).contains("must come first"));
    }

    @Test
    void anRsaKeyForAnEcCertificateIsRefused() throws Exception {
        Path cert = file("ec.crt", TestPki.devCertificate().certificatePem());
        Path key = file("rsa.key", TestPki.pem(TestPki.rsaKeyPair()));

        assertTrue(refusal(cert, key).contains("not a pair"));
    }

    @Test
    void encryptedKeysMissingFilesDerFilesAndEmptyFilesAreRefusedWithTheReason() throws Exception {
        DevCertificate dev = TestPki.devCertificate();
        Path cert = file("cert.pem", dev.certificatePem());
        Path encrypted = file("encrypted.key", TestPki.pem(encryptedKey(dev)));
        Path der = Files.write(dir.resolve("cert.der"), dev.certificate().getEncoded());
        Path keyOnly = file("key-only.pem", dev.privateKeyPem());

        assertTrue(refusal(cert, encrypted).contains("encrypted"));
        assertTrue(refusal(dir.resolve("absent.pem"), encrypted).contains("no such file"));
        assertTrue(refusal(der, encrypted).contains("not PEM"));
        assertTrue(refusal(keyOnly, keyOnly).contains("no PEM block CERTIFICATE"));
        assertTrue(refusal(cert, cert).contains("no PEM private key"));
    }

    @Test
    void clientCasAreReadWhenClientCertificatesAreAskedFor() throws Exception {
        DevCertificate dev = TestPki.devCertificate();
        TestPki.Issued ca = TestPki.ca("Client CA");
        Path cert = file("cert.pem", dev.certificatePem());
        Path key = file("key.pem", dev.privateKeyPem());
        Path cas = file("cas.pem", TestPki.pem(ca.certificate()));

        TlsMaterial material = TlsMaterial.read(new TlsSettings(cert, key, Optional.of(cas), ClientAuthMode.REQUIRE,
                Duration.ofSeconds(5)));

        assertEquals(List.of(ca.certificate()), material.clientCas());
    }

    /** The key as ENCRYPTED PRIVATE KEY (PKCS#8, PBES2), as openssl pkcs8 -topk8 -v2 aes256 writes it. */
    private static JcaPKCS8Generator encryptedKey(DevCertificate dev) throws Exception {
        return new JcaPKCS8Generator(dev.privateKey(), new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider()).setPassword("secret".toCharArray()).build());
    }
}
