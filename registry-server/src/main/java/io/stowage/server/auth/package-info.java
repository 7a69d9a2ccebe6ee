/**
 * Authentication and authorization as plain Java, with no HTTP in it: the htpasswd credential
 * file, the access policy, Docker registry token scopes, the tokens themselves (issue and verify),
 * the {@code WWW-Authenticate} challenges, and the failed-login throttle. The HTTP layer wires
 * these together; each class here is tested on its own. File formats: {@code docs/security.md}.
 */
package io.stowage.server.auth;
