// Injected by esbuild from package.json at build time; unit tests run the sources directly, where
// the constant does not exist, so fall back to a recognisable development value.
declare const PLUMBLINE_VERSION: string | undefined;

export const plumblineVersion: string =
  typeof PLUMBLINE_VERSION === 'string' ? PLUMBLINE_VERSION : '0.0.0-dev';

/** The name the agent server reports in its LSP `serverInfo`. */
export const serverName = 'plumbline-agent-server';
