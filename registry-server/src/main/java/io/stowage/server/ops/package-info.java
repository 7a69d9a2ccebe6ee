/**
 * Health and readiness endpoints for operators and orchestrators.
 */
package io.stowage.server.ops;
