/**
 * The Netty HTTP layer: routing, per-connection request handling with backpressure, the worker pool, response writing and the OCI error body.
 */
package io.stowage.server.http;
