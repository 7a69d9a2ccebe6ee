/**
 * Access control over HTTP: the auth library ({@code io.stowage.server.auth}) wired into requests.
 * {@link io.stowage.server.access.AccessRules} says what each route's action needs,
 * {@link io.stowage.server.access.Authenticator} turns an {@code Authorization} header into an
 * identity (bcrypt on worker threads only, successes cached),
 * {@link io.stowage.server.access.AccessGuard} decides and refuses with 401/403/429, and
 * {@link io.stowage.server.access.AuthRoutes} is the token endpoint. Built from the configuration
 * by {@link io.stowage.server.access.AccessControl}. Model and file formats: {@code docs/security.md}.
 */
package io.stowage.server.access;
