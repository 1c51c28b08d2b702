/**
 * The parts of `@modelcontextprotocol/sdk` Plumbline uses, in one module that esbuild bundles on its
 * own (`dist/sdk-mcp.js`, see esbuild.mjs): mcpConnection.ts loads it with import() only when a
 * server is configured, so the agent server starts without parsing it.
 */
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
