/**
 * Configuration: the settings with their defaults, and loading them from YAML, environment variables and flags.
 */
package io.stowage.server.config;
