package io.stowage.server.access;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.stowage.server.auth.AccessPolicy;
import io.stowage.server.auth.AuthFileException;
import io.stowage.server.auth.Htpasswd;
import io.stowage.server.auth.LoginThrottle;
import io.stowage.server.auth.ReloadingFile;
import io.stowage.server.http.RequestContext;
import io.stowage.server.http.RequestRefusedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The guard on its own: the network thread's answer never checks a password, a checked password
 * is not checked again, and the first checks of the same credentials share one bcrypt run.
 */
class AccessGuardTest {
    @TempDir
    Path dir;

    private final AtomicInteger bcryptChecks = new AtomicInteger();
    private Htpasswd htpasswd;
    private ReloadingFile<AccessPolicy> policy;

    @BeforeEach
    void files() throws AuthFileException {
        htpasswd = Htpasswd.load(AuthFixture.writeHtpasswd(dir), Duration.ofMinutes(5), Clock.systemUTC());
        policy = AccessPolicy.watch(AuthFixture.write(dir.resolve("policy.yml"), AuthFixture.POLICY),
                Duration.ofMinutes(5), Clock.systemUTC());
    }

    private AccessGuard guard(Authenticator.PasswordCheck check) {
        Authenticator authenticator = new Authenticator(check, null,
                new LoginThrottle(LoginThrottle.Settings.defaults(), Clock.systemUTC()), Clock.systemUTC());
        return new AccessGuard(AccessRules.standard(), authenticator, policy, new Refusals("test", null, null), null);
    }

    private AccessGuard countingGuard() {
        return guard((user, password) -> {
            bcryptChecks.incrementAndGet();
            return htpasswd.verify(user, password);
        });
    }

    private static RequestContext pull(String authorization) {
        HttpHeaders headers = new DefaultHttpHeaders();
        if (authorization != null) {
            headers.set("Authorization", authorization);
        }
        return new RequestContext(HttpMethod.GET, new QueryStringDecoder("/v2/team/app/manifests/v1"), headers,
                Map.of("name", "team/app", "reference", "v1"), "127.0.0.1", "r-1", "manifest.get");
    }

    @Test
    void theNetworkThreadsAnswerComesFromMemoryOnlyAndAPasswordIsCheckedOnce() {
        AccessGuard guard = countingGuard();
        String puller = AuthClient.basic("puller", AuthFixture.password("puller"));

        RequestContext first = pull(puller);
        assertFalse(guard.allowsWithoutBlocking(first), "unknown credentials: not sure, so to a worker");
        assertEquals(0, bcryptChecks.get(), "no bcrypt on the network thread");
        assertEquals("anonymous", first.actor(), "nobody until the guard let it through");

        guard.check(first);
        assertEquals(1, bcryptChecks.get());
        assertEquals("puller", first.actor());

        RequestContext second = pull(puller);
        assertTrue(guard.allowsWithoutBlocking(second), "known now");
        assertEquals("puller", second.actor());
        guard.check(pull(puller));
        assertEquals(1, bcryptChecks.get(), "a matched password is remembered");
    }

    @Test
    void theNetworkThreadNeverLetsThroughWhatAWorkerWouldRefuse() {
        AccessGuard guard = countingGuard();
        String nobody = AuthClient.basic("nobody", AuthFixture.password("nobody"));
        guard.check(pull(AuthClient.basic("puller", AuthFixture.password("puller"))));
        assertThrows(RequestRefusedException.class, () -> guard.check(pull(nobody)));
        assertFalse(guard.allowsWithoutBlocking(pull(nobody)), "nobody is known, and not allowed");
        assertFalse(guard.allowsWithoutBlocking(pull(null)), "anonymous may not pull team/app");
        assertFalse(guard.allowsWithoutBlocking(pull(AuthClient.basic("puller", "wrong"))));
    }

    @Test
    void concurrentFirstChecksOfTheSameCredentialsShareOneBcryptRun() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AccessGuard guard = guard((user, password) -> {
            bcryptChecks.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return htpasswd.verify(user, password);
        });
        String puller = AuthClient.basic("puller", AuthFixture.password("puller"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> actors = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                actors.add(pool.submit(() -> {
                    RequestContext request = pull(puller);
                    guard.check(request);
                    return request.actor();
                }));
            }
            Thread.sleep(300);
            release.countDown();
            for (Future<String> actor : actors) {
                assertEquals("puller", actor.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, bcryptChecks.get());
    }

    @Test
    void aRefusedLoginIsNamedAfterTheUserItTried() {
        AccessGuard guard = countingGuard();
        RequestContext request = pull(AuthClient.basic("puller", "wrong"));
        RequestRefusedException refused = assertThrows(RequestRefusedException.class, () -> guard.check(request));
        assertEquals(401, refused.status());
        assertEquals("Basic realm=\"test\"", refused.headers().get("www-authenticate"));
        assertEquals("puller", request.actor());
        assertEquals("wrong user name or password", request.authProblem());
    }
}
