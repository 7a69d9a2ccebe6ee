package io.stowage.server.access;

import io.stowage.server.auth.AccessPolicy;
import io.stowage.server.auth.AuthFileException;
import io.stowage.server.auth.Htpasswd;
import io.stowage.server.auth.LoginThrottle;
import io.stowage.server.auth.ReloadingFile;
import io.stowage.server.auth.TokenIssuer;
import io.stowage.server.auth.TokenSigningKey;
import io.stowage.server.auth.TokenVerifier;
import io.stowage.server.auth.TrustedIssuer;
import io.stowage.server.config.ConfigException;
import io.stowage.server.config.RegistryConfig;
import io.stowage.server.http.RequestGuard;
import io.stowage.server.http.Router;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Access control as configured ({@code auth.*}): the guard every request passes, and in
 * {@code token} mode the token endpoint. Built once at start, before any store is opened, so a
 * broken htpasswd or policy file stops the start with a message naming its key. Immutable.
 */
public final class AccessControl {
    private final boolean enabled;
    private final RequestGuard guard;
    private final AccessRules rules;
    /** Null unless in token mode. */
    private final AuthRoutes authRoutes;

    private AccessControl(boolean enabled, RequestGuard guard, AccessRules rules, AuthRoutes authRoutes) {
        this.enabled = enabled;
        this.guard = guard;
        this.rules = rules;
        this.authRoutes = authRoutes;
    }

    /**
     * Loads the files the configuration names; creates the token signing key on first start.
     *
     * @throws ConfigException naming the key whose file cannot be used
     */
    public static AccessControl fromConfig(RegistryConfig.Auth auth, Path dataDir, Clock clock) {
        AccessRules rules = AccessRules.standard();
        if (!auth.enabled()) {
            return new AccessControl(false, RequestGuard.OPEN, rules, null);
        }
        Htpasswd htpasswd = load("auth.htpasswdFile",
                () -> Htpasswd.load(Path.of(auth.htpasswdFile), auth.reloadCheck, clock));
        ReloadingFile<AccessPolicy> policy = load("auth.policyFile",
                () -> AccessPolicy.watch(Path.of(auth.policyFile), auth.reloadCheck, clock));
        LoginThrottle throttle = new LoginThrottle(throttleSettings(auth.throttle), clock);
        if (!auth.tokenMode()) {
            Authenticator authenticator = new Authenticator(htpasswd::verify, null, throttle, clock);
            Refusals refusals = new Refusals(auth.realm, null, null);
            return new AccessControl(true, new AccessGuard(rules, authenticator, policy, refusals, null), rules, null);
        }
        RegistryConfig.Token token = auth.token;
        TokenSigningKey key = load("auth.token.keyFile", () -> TokenSigningKey.loadOrCreate(token.keyPath(dataDir)));
        List<TrustedIssuer> issuers = new ArrayList<>();
        issuers.add(TrustedIssuer.of(token.issuer, key));
        for (int i = 0; i < token.trustedIssuers.size(); i++) {
            RegistryConfig.TrustedIssuer external = token.trustedIssuers.get(i);
            issuers.add(load("auth.token.trustedIssuers[" + i + "].publicKeyFile",
                    () -> TrustedIssuer.fromPemFile(external.issuer, Path.of(external.publicKeyFile), external.keyId)));
        }
        TokenVerifier verifier;
        TokenIssuer issuer;
        try {
            verifier = new TokenVerifier(token.service, issuers, clock);
            issuer = new TokenIssuer(key, token.issuer, token.service, token.lifetime, clock);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid auth.token.* setting: " + e.getMessage(), e);
        }
        Authenticator authenticator = new Authenticator(htpasswd::verify, verifier, throttle, clock);
        Refusals refusals = new Refusals(auth.realm, token.realm.isBlank() ? null : token.realm, token.service);
        AccessGuard guard = new AccessGuard(rules, authenticator, policy, refusals, token.issuer);
        return new AccessControl(true, guard, rules, new AuthRoutes(policy, issuer, authenticator, refusals));
    }

    /** Whether any authentication is configured (mode {@code basic} or {@code token}). */
    public boolean enabled() {
        return enabled;
    }

    /** What every request passes before its handler. */
    public RequestGuard guard() {
        return guard;
    }

    /** Adds this configuration's own routes: the token endpoint in {@code token} mode, nothing otherwise. */
    public void registerRoutes(Router router) {
        if (authRoutes != null) {
            authRoutes.register(router);
        }
    }

    /**
     * Fails unless every action of {@code router} has an access rule: a route added without one
     * would be refused to everybody, so the start stops and says which.
     */
    public void requireRulesFor(Router router) {
        Set<String> missing = rules.uncovered(router.actions());
        if (!missing.isEmpty()) {
            throw new IllegalStateException("routes without an access rule (add them to AccessRules): " + missing);
        }
    }

    private static LoginThrottle.Settings throttleSettings(RegistryConfig.Throttle throttle) {
        Duration forgetAfter = throttle.maxBlock.compareTo(throttle.window) >= 0 ? throttle.maxBlock : throttle.window;
        try {
            return new LoginThrottle.Settings(throttle.maxFailures, throttle.window, throttle.firstBlock,
                    throttle.maxBlock, forgetAfter, throttle.maxTrackedKeys);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid auth.throttle.* setting: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface Loader<T> {
        T load() throws AuthFileException;
    }

    private static <T> T load(String key, Loader<T> loader) {
        try {
            return loader.load();
        } catch (AuthFileException e) {
            throw new ConfigException(key + ": " + e.getMessage(), e);
        }
    }
}
