/** The admin and recovery API under /admin/ (the contract of shared/API.md, documented in docs/api.md). */
package io.stowage.server.admin;
