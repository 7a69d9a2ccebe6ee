package io.stowage.server.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code skopeo} commands the end-to-end tests use, with plain HTTP towards the registry
 * ({@code --tls-verify=false}) unless a method takes a certificate directory, and always with
 * {@code --insecure-policy}, so the result does not depend on this machine's
 * {@code /etc/containers/policy.json}. Each call is bounded by a timeout. Thread-safe.
 */
final class Skopeo {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandRunner runner = new CommandRunner(Duration.ofMinutes(3));

    /** {@code skopeo copy} from an OCI layout (or any local transport) to a {@code docker://} reference. */
    void push(String source, String destination, boolean all) {
        runner.run(copy(source, destination, all, "--dest-tls-verify=false"));
    }

    /** {@code skopeo copy} from a {@code docker://} reference to a local transport. */
    void pull(String source, String destination, boolean all) {
        runner.run(copy(source, destination, all, "--src-tls-verify=false"));
    }

    /**
     * {@code skopeo copy} with more flags (credentials, TLS) for a test that expects it may fail;
     * the caller checks the exit code.
     */
    CommandRunner.Result tryCopy(String source, String destination, String... flags) {
        return runner.runAllowingFailure(copy(source, destination, false, flags));
    }

    /**
     * {@code skopeo copy} to an HTTPS registry whose certificate is verified against the {@code *.crt}
     * files of {@code certDir} (a containers-certs.d directory: a {@code *.key} there is a client key).
     */
    void pushVerifying(String source, String destination, Path certDir) {
        runner.run(copy(source, destination, false, "--dest-cert-dir", certDir.toString()));
    }

    /** {@code skopeo copy} from an HTTPS registry, verifying its certificate against {@code certDir}. */
    void pullVerifying(String source, String destination, Path certDir) {
        runner.run(copy(source, destination, false, "--src-cert-dir", certDir.toString()));
    }

    /** {@code skopeo inspect --raw} of an HTTPS registry, verifying its certificate against {@code certDir}. */
    byte[] inspectRawVerifying(String reference, Path certDir) {
        return runner.run("skopeo", "--insecure-policy", "inspect", "--raw", "--cert-dir", certDir.toString(), reference)
                .stdoutBytes();
    }

    /** {@code skopeo inspect --raw} with certificate verification against the system's CAs only. */
    CommandRunner.Result tryInspectRawVerifying(String reference) {
        return runner.runAllowingFailure("skopeo", "--insecure-policy", "inspect", "--raw", reference);
    }

    /** {@code skopeo copy} between two local transports, e.g. OCI layout to docker-archive. */
    void convert(String source, String destination) {
        runner.run(copy(source, destination, false));
    }

    /** {@code skopeo copy --all} between two local transports: an index with every platform's image. */
    void convertAll(String source, String destination) {
        runner.run(copy(source, destination, true));
    }

    /** The exact manifest bytes that {@code skopeo inspect --raw} prints. */
    byte[] inspectRaw(String reference) {
        return runner.run(inspectRawCommand(reference)).stdoutBytes();
    }

    /** {@code skopeo inspect --raw} for a test that expects it may fail. */
    CommandRunner.Result tryInspectRaw(String reference) {
        return runner.runAllowingFailure(inspectRawCommand(reference));
    }

    /** The tags {@code skopeo list-tags} reports for {@code docker://host/repository}. */
    List<String> listTags(String repositoryReference) {
        String out = runner.run("skopeo", "--insecure-policy", "list-tags", "--tls-verify=false", repositoryReference)
                .stdout();
        try {
            List<String> tags = new ArrayList<>();
            JSON.readTree(out).path("Tags").forEach(tag -> tags.add(tag.asText()));
            return tags;
        } catch (IOException e) {
            throw new UncheckedIOException("list-tags printed no JSON: " + out, e);
        }
    }

    /** {@code skopeo delete}: deletes the manifest that {@code reference} names. */
    void delete(String reference) {
        runner.run("skopeo", "--insecure-policy", "delete", "--tls-verify=false", reference);
    }

    /** {@code skopeo inspect} (not raw) as JSON, e.g. for the layer list of an image. */
    JsonNode inspect(String reference) {
        String out = runner.run("skopeo", "--insecure-policy", "inspect", "--tls-verify=false", reference).stdout();
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("inspect printed no JSON: " + out, e);
        }
    }

    private static List<String> inspectRawCommand(String reference) {
        return List.of("skopeo", "--insecure-policy", "inspect", "--raw", "--tls-verify=false", reference);
    }

    private static List<String> copy(String source, String destination, boolean all, String... flags) {
        List<String> command = new ArrayList<>(List.of("skopeo", "--insecure-policy", "copy", "--quiet"));
        command.addAll(List.of(flags));
        if (all) {
            command.add("--all");
        }
        command.add(source);
        command.add(destination);
        return command;
    }
}
