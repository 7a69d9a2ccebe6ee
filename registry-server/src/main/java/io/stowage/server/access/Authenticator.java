package io.stowage.server.access;

import io.stowage.server.auth.Htpasswd;
import io.stowage.server.auth.LoginThrottle;
import io.stowage.server.auth.TokenRejectedException;
import io.stowage.server.auth.TokenVerifier;
import io.stowage.server.auth.UserNames;
import io.stowage.server.auth.VerifiedToken;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Turns the {@code Authorization} header of a request into an {@link Identity}: nobody (no header),
 * a user whose password matched the htpasswd file ({@code Basic}), or an accepted bearer token.
 *
 * <p>A bcrypt check costs about a quarter second of CPU, so {@link #authenticate} must run on a
 * worker thread, never on a network thread; {@link #cached} is the network thread's part, which
 * answers only from memory. A password that matched is remembered for {@link #PASSWORD_TTL} by the
 * SHA-256 of user and password, so a client that sends it with every request (Docker does, on
 * every layer) pays bcrypt once a minute rather than every time; concurrent first checks of the
 * same credentials share one bcrypt run. A changed or deleted password therefore keeps working
 * for at most that long. A token is remembered until it expires.
 *
 * <p>Wrong passwords go through the {@link LoginThrottle}: a blocked user name or address is
 * refused before any bcrypt check. Thread-safe.
 */
public final class Authenticator {
    /** How long a matched password is believed without a new bcrypt check. */
    static final Duration PASSWORD_TTL = Duration.ofSeconds(60);
    /** Bounds each cache: enough for every active user and token of a large site, a few MiB at most. */
    static final int MAX_CACHED = 10_000;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** How a request presents credentials. */
    enum Scheme {
        BASIC("Basic"), BEARER("Bearer");

        final String wireName;

        Scheme(String wireName) {
            this.wireName = wireName;
        }

        static Scheme byName(String name) {
            for (Scheme scheme : values()) {
                if (scheme.wireName.equalsIgnoreCase(name)) {
                    return scheme;
                }
            }
            return null;
        }
    }

    /** What the credentials of a request established. */
    sealed interface Identity {
        /** No {@code Authorization} header. */
        record Nobody() implements Identity {
        }

        /** A user name whose password matched. */
        record User(String name) implements Identity {
        }

        /** An accepted bearer token. */
        record Token(VerifiedToken token) implements Identity {
        }
    }

    static final Identity NOBODY = new Identity.Nobody();

    /** Credentials that were sent and not accepted: answered with 401, or 429 when throttled. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        enum Kind { BAD_PASSWORD, THROTTLED, BAD_TOKEN, MALFORMED, WRONG_SCHEME }

        private final Kind kind;
        private final String user;
        private final transient Duration retryAfter;

        private Failure(Kind kind, String user, Duration retryAfter, String problem) {
            super(problem, null, false, false);
            this.kind = kind;
            this.user = user;
            this.retryAfter = retryAfter;
        }

        Kind kind() {
            return kind;
        }

        /** The user name that was tried, when it is a valid one; null otherwise. */
        String user() {
            return user;
        }

        /** For {@link Kind#THROTTLED}: how long to wait. */
        Duration retryAfter() {
            return retryAfter;
        }
    }

    /** Whether a password is right: {@link Htpasswd#verify} (one bcrypt check, also for unknown users). */
    @FunctionalInterface
    public interface PasswordCheck {
        boolean matches(String user, char[] password);
    }

    private final PasswordCheck passwordCheck;
    /** Null when tokens are not in use ({@code auth.mode: basic}). */
    private final TokenVerifier verifier;
    private final LoginThrottle throttle;
    private final Clock clock;
    private final CredentialCache<String> passwords;
    private final CredentialCache<VerifiedToken> tokens;
    /** Bcrypt checks under way, by credential key: a second request with the same credentials waits for the first. */
    private final ConcurrentHashMap<ByteBuffer, CompletableFuture<Boolean>> checking = new ConcurrentHashMap<>();

    /** @param verifier null when bearer tokens are not accepted */
    public Authenticator(PasswordCheck passwordCheck, TokenVerifier verifier, LoginThrottle throttle, Clock clock) {
        this.passwordCheck = passwordCheck;
        this.verifier = verifier;
        this.throttle = throttle;
        this.clock = clock;
        this.passwords = new CredentialCache<>(MAX_CACHED, clock);
        this.tokens = new CredentialCache<>(MAX_CACHED, clock);
    }

    /**
     * Who the header says the caller is, verified. May run bcrypt: worker threads only.
     *
     * @param accepted the one scheme this request may use
     */
    Identity authenticate(String authorization, String remoteAddress, Scheme accepted) throws Failure {
        if (authorization == null) {
            return NOBODY;
        }
        String credentials = credentials(authorization, accepted);
        if (accepted == Scheme.BASIC) {
            String[] userAndPassword = decodeBasic(credentials);
            if (isEmpty(userAndPassword)) {
                return NOBODY;
            }
            return password(userAndPassword[0], userAndPassword[1], remoteAddress);
        }
        return bearer(credentials);
    }

    /**
     * Who the header says the caller is if that is known from memory; null when it is not (the
     * request then goes to {@link #authenticate} on a worker). Never blocks, never runs bcrypt.
     */
    Identity cached(String authorization, Scheme accepted) {
        if (authorization == null) {
            return NOBODY;
        }
        try {
            String credentials = credentials(authorization, accepted);
            if (accepted == Scheme.BASIC) {
                String[] userAndPassword = decodeBasic(credentials);
                if (isEmpty(userAndPassword)) {
                    return NOBODY;
                }
                String user = passwords.get(CredentialCache.key(userAndPassword[0], userAndPassword[1]));
                return user == null ? null : new Identity.User(user);
            }
            VerifiedToken token = tokens.get(CredentialCache.key(credentials));
            return token == null ? null : new Identity.Token(token);
        } catch (Failure e) {
            return null;
        }
    }

    /** Checks a user name and password (a {@code Basic} header, or the token endpoint's form). Worker threads only. */
    Identity password(String user, String password, String remoteAddress) throws Failure {
        String tried = UserNames.isValid(user) ? user : null;
        ByteBuffer key = CredentialCache.key(user, password);
        String known = passwords.get(key);
        if (known != null) {
            // Known good: not even a blocked name or address stops it, since a guesser cannot
            // produce a password that was right a minute ago without knowing it.
            return new Identity.User(known);
        }
        InetAddress address = literalAddress(remoteAddress);
        Duration wait = throttle.retryAfter(user, address);
        if (!wait.isZero() && !wait.isNegative()) {
            throw new Failure(Failure.Kind.THROTTLED, tried, wait, "too many failed logins");
        }
        if (tried != null && verifyOnce(key, user, password)) {
            throttle.recordSuccess(user, address);
            passwords.put(key, user, clock.instant().plus(PASSWORD_TTL));
            return new Identity.User(user);
        }
        if (tried == null) {
            // No such user can exist; still one bcrypt check, so the answer takes as long as any other.
            verifyOnce(key, "", password);
        }
        throttle.recordFailure(user, address);
        throw new Failure(Failure.Kind.BAD_PASSWORD, tried, null,
                tried == null ? "invalid user name" : "wrong user name or password");
    }

    private Identity bearer(String token) throws Failure {
        ByteBuffer key = CredentialCache.key(token);
        VerifiedToken known = tokens.get(key);
        if (known != null) {
            return new Identity.Token(known);
        }
        VerifiedToken verified;
        try {
            verified = verifier.verify(token);
        } catch (TokenRejectedException e) {
            throw new Failure(Failure.Kind.BAD_TOKEN, null, null,
                    "token rejected (" + e.reason().name().toLowerCase(Locale.ROOT) + "): " + e.getMessage());
        }
        tokens.put(key, verified, verified.expiresAt());
        return new Identity.Token(verified);
    }

    private boolean verifyOnce(ByteBuffer key, String user, String password) {
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = checking.putIfAbsent(key, mine);
        if (running != null) {
            return running.join();
        }
        char[] chars = password.toCharArray();
        try {
            mine.complete(passwordCheck.matches(user, chars));
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            Arrays.fill(chars, '\0');
            checking.remove(key, mine);
        }
        return mine.join();
    }

    /** The credentials part of the header, when its scheme is the accepted one. */
    private String credentials(String authorization, Scheme accepted) throws Failure {
        String header = authorization.strip();
        int space = header.indexOf(' ');
        Scheme scheme = Scheme.byName(space < 0 ? header : header.substring(0, space));
        if (scheme != accepted) {
            throw new Failure(Failure.Kind.WRONG_SCHEME, null, null,
                    "credentials of another scheme than " + accepted.wireName);
        }
        String credentials = space < 0 ? "" : header.substring(space + 1).strip();
        if (credentials.isEmpty()) {
            throw new Failure(Failure.Kind.MALFORMED, null, null, "empty " + accepted.wireName + " credentials");
        }
        return credentials;
    }

    /**
     * {@code Basic Og==}: an empty user name and password. Podman, skopeo and buildah send it when
     * they have no credentials for the registry, where Docker sends nothing; both mean anonymous.
     * Counting it as a failed login would refuse anonymous pulls and, five pulls later, throttle
     * everybody behind that address.
     */
    private static boolean isEmpty(String[] userAndPassword) {
        return userAndPassword[0].isEmpty() && userAndPassword[1].isEmpty();
    }

    private static String[] decodeBasic(String credentials) throws Failure {
        String text;
        try {
            text = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.Kind.MALFORMED, null, null, "Basic credentials are not base64");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new Failure(Failure.Kind.MALFORMED, null, null, "Basic credentials without ':'");
        }
        return new String[]{text.substring(0, colon), text.substring(colon + 1)};
    }

    /**
     * The client's address for the throttle. Only a literal is parsed: a name would make
     * {@link InetAddress#getByName} ask DNS, which a throttle must never wait for.
     */
    static InetAddress literalAddress(String text) {
        if (text == null || !(IPV4.matcher(text).matches() || text.indexOf(':') >= 0)) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
