package io.stowage.storage.testing;

import com.github.dockerjava.api.DockerClient;
import org.testcontainers.DockerClientFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Whether a Testcontainers test can run here: a Docker engine answers and the image is present or
 * can be pulled within {@link #PULL_TIMEOUT}. Testcontainers itself waits for a pull much longer and
 * retries, so on a machine with a Docker engine but no registry to pull from (CI's private daemon,
 * offline) a test would hang for many minutes before failing; this says why it cannot run instead, for
 * the test to skip with. Stateless.
 */
public final class ContainerImages {
    public static final Duration PULL_TIMEOUT = Duration.ofSeconds(60);

    private ContainerImages() {
    }

    /** Null when {@code image} can be started; otherwise the reason, naming the image. */
    public static String unavailable(String image) {
        DockerClient docker;
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return "no Docker engine for Testcontainers";
            }
            docker = DockerClientFactory.instance().client();
        } catch (RuntimeException e) {
            return "no Docker engine for Testcontainers (" + e.getMessage() + ")";
        }
        try {
            docker.inspectImageCmd(image).exec();
            return null;
        } catch (RuntimeException notPresent) {
            // Not here yet: try to pull it, for a bounded time.
        }
        try {
            boolean pulled = docker.pullImageCmd(image).start().awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return pulled ? null : "image " + image + " not pulled within " + PULL_TIMEOUT.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted pulling " + image;
        } catch (RuntimeException e) {
            return "image " + image + " cannot be pulled: " + e.getMessage();
        }
    }
}
