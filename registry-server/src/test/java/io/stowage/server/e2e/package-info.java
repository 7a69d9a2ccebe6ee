/**
 * End-to-end tests: a registry server runs as a separate process on loopback and real clients
 * ({@code skopeo}, {@code podman}, the Docker CLI) or a small JDK HTTP client talk to it.
 *
 * <p>The server under test is chosen with the system property {@code stowage.e2e.target}:
 * {@code stowage} (the default) launches this project's {@code RegistryCommand}, {@code reference}
 * launches the CNCF reference registry ({@code /usr/bin/docker-registry}), which lets the same tests
 * be checked against a known-good implementation and behaviour be compared. Every image is built in
 * the test from bytes it makes: nothing is fetched from the internet. A test whose tool is absent
 * skips with a message naming the tool, unless {@code STOWAGE_E2E_REQUIRE_TOOLS} is set (as CI does),
 * in which case it fails.
 *
 * <p>To check the tests against the reference registry:
 * <pre>
 * mvn -B -pl registry-server -am test -Dstowage.e2e.target=reference -Dtest='*E2ETest' \
 *     -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 * The Docker test needs a daemon at {@code DOCKER_HOST}; {@code .ci/run} shows how to start a private
 * one ({@code dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none ...}).
 */
package io.stowage.server.e2e;
