/**
 * Handlers of the OCI Distribution API under /v2/: each translates HTTP into one RegistryService call and back.
 */
package io.stowage.server.oci;
