package io.stowage.server.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenSigningKeyTest {
    /** A P-256 key made by {@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256}. */
    static final String OPENSSL_PRIVATE_KEY = """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgNra+MesefXMD3zG9
            g0D19rcgXoXKARUyfx2EsYssbLihRANCAASxZplLFaIb9PDphERsIGSLPzOO7kJo
            84yP3zHagE8vRXbfKPlZ5KHaUnzSuHOKv9PVXHFihl9kmsCH3S/br6pC
            -----END PRIVATE KEY-----
            """;
    /** Its public half, by {@code openssl pkey -pubout}. */
    static final String OPENSSL_PUBLIC_KEY = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEsWaZSxWiG/Tw6YREbCBkiz8zju5C
            aPOMj98x2oBPL0V23yj5WeSh2lJ80rhzir/T1VxxYoZfZJrAh90v26+qQg==
            -----END PUBLIC KEY-----
            """;
    /** Its RFC 7638 thumbprint and libtrust key ID, computed with Python's hashlib and base64. */
    static final String OPENSSL_THUMBPRINT = "H7Afq9T_zSY4EycvNrYBno2Rl8CWXGtVx-CLbtgVVTs";
    static final String OPENSSL_LIBTRUST_ID = "FIBW:QEXD:ES4Y:UB5A:DE75:UU22:N32T:WLQO:LP72:A6XC:TBCS:7ZQ6";

    /** A P-384 key (openssl req -x509 -newkey ec), with its self-signed certificate. */
    static final String P384_PRIVATE_KEY = """
            -----BEGIN PRIVATE KEY-----
            MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDAI8mtJIpm+iEs0fQs4
            XpG1p26YrDCnFsdNtNWJ1sMbwqc3pcsHpCZqNmL6WshEhwihZANiAAREKbPbWImA
            cOjUGWD0oblx/W/zwka2Z4f3T8N8wfEVYr9pvFeQQhu8/ALdzdxwByesCyki/zio
            bPh+O9MnYq7lA8Z+4WvgNgOPXi4uMCz95t8GC0viFIUcQZQ9P49d6D8=
            -----END PRIVATE KEY-----
            """;
    static final String P384_CERTIFICATE = """
            -----BEGIN CERTIFICATE-----
            MIIBzDCCAVKgAwIBAgIUVPmnVIuriK6opSFCPyXVrCDhNL8wCgYIKoZIzj0EAwIw
            HDEaMBgGA1UEAwwRdGVzdCB0b2tlbiBzZXJ2ZXIwIBcNMjYxMTI2MDU0ODE1WhgP
            MjEyNjExMDIwNTQ4MTVaMBwxGjAYBgNVBAMMEXRlc3QgdG9rZW4gc2VydmVyMHYw
            EAYHKoZIzj0CAQYFK4EEACIDYgAERCmz21iJgHDo1Blg9KG5cf1v88JGtmeH90/D
            fMHxFWK/abxXkEIbvPwC3c3ccAcnrAspIv84qGz4fjvTJ2Ku5QPGfuFr4DYDj14u
            LjAs/ebfBgtL4hSFHEGUPT+PXeg/o1MwUTAdBgNVHQ4EFgQUfV3EVJF7ujfn7acK
            r5riVHCUHkkwHwYDVR0jBBgwFoAUfV3EVJF7ujfn7acKr5riVHCUHkkwDwYDVR0T
            AQH/BAUwAwEB/zAKBggqhkjOPQQDAgNoADBlAjEA1iGFDE4cfRNuLnWEezm4HtWe
            po1Av4zwC2WD9+wcgYc7SDiUWCyJHogo/2Ec7saJAjAZPZbzb/TC6ZRfiSiir9df
            gJ45KaynWCgQIlaHd8N/XjI/vNHsMVgdz/bIYcHQ/Ic=
            -----END CERTIFICATE-----
            """;

    @TempDir
    Path dir;

    @Test
    void isCreatedOnFirstUseOwnerOnlyAndTheSameAfterwards() throws Exception {
        Path file = dir.resolve("keys").resolve("token-es256.pem");
        TokenSigningKey created = TokenSigningKey.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----"));

        TokenSigningKey loaded = TokenSigningKey.loadOrCreate(file);
        assertEquals(created.keyId(), loaded.keyId());
        assertArrayEquals(created.publicKey().getEncoded(), loaded.publicKey().getEncoded());
        assertEquals(created.publicKeyPem(), loaded.publicKeyPem());
    }

    @Test
    void concurrentFirstStartsAgreeOnOneKey() throws Exception {
        Path file = dir.resolve("token-es256.pem");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<TokenSigningKey>> starts = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                starts.add(pool.submit((Callable<TokenSigningKey>) () -> TokenSigningKey.loadOrCreate(file)));
            }
            List<String> keyIds = new ArrayList<>();
            for (Future<TokenSigningKey> start : starts) {
                keyIds.add(start.get().keyId());
            }
            String onDisk = TokenSigningKey.load(file).keyId();
            assertEquals(List.of(onDisk, onDisk, onDisk, onDisk, onDisk, onDisk, onDisk, onDisk), keyIds);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void readsAnOpensslKeyAndComputesItsPublicHalf() throws Exception {
        Path file = Files.writeString(dir.resolve("openssl.pem"), OPENSSL_PRIVATE_KEY);
        TokenSigningKey key = TokenSigningKey.load(file);
        assertEquals(OPENSSL_PUBLIC_KEY, key.publicKeyPem().replace("\r\n", "\n"));
        assertEquals(OPENSSL_THUMBPRINT, key.keyId());
        assertEquals(OPENSSL_THUMBPRINT, KeyIds.thumbprint(key.publicKey()));
        assertEquals(OPENSSL_LIBTRUST_ID, KeyIds.libtrustId(key.publicKey()));
    }

    @Test
    void refusesKeysItCannotSignES256With() throws Exception {
        assertTrue(refusal("p384.pem", P384_PRIVATE_KEY).endsWith("the key is not on curve P-256, which ES256 needs"));
        assertTrue(refusal("cert.pem", P384_CERTIFICATE).endsWith("expected a PEM block PRIVATE KEY, found CERTIFICATE"));
        assertTrue(refusal("sec1.pem", "-----BEGIN EC PRIVATE KEY-----\nMAA=\n-----END EC PRIVATE KEY-----\n")
                .contains("convert it to PKCS#8"));
        assertTrue(refusal("garbage.pem", "not a key").endsWith("no PEM block (-----BEGIN ...-----) found"));
        assertTrue(refusal("bad.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .endsWith("not an EC private key"));
        String missing = assertThrows(AuthFileException.class, () -> TokenSigningKey.load(dir.resolve("none.pem"))).getMessage();
        assertTrue(missing.endsWith("none.pem: no such file"), missing);
    }

    @Test
    void messagesNeverShowKeyMaterial() throws Exception {
        String message = refusal("p384.pem", P384_PRIVATE_KEY);
        assertTrue(!message.contains("MIG2") && !message.contains("I8mtJ"), message);
    }

    private String refusal(String name, String content) throws Exception {
        Path file = Files.writeString(dir.resolve(name), content);
        return assertThrows(AuthFileException.class, () -> TokenSigningKey.load(file)).getMessage();
    }
}
